import { describe, expect, it } from 'vitest';
import { ConfigRenderer, ConfigValidationError, InvalidArgumentError, parseConfig, renderServiceFiles, type ConfigRendererOptions } from '../../../src/index';

const base = (options: Partial<ConfigRendererOptions> = {}): ConfigRenderer => new ConfigRenderer({ baseDir: '/data/redis', maxmemory: '4gb', ...options });
const ruleOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.rule;
    throw error;
  }
};

describe('ConfigRenderer.render', () => {
  it('renders the two-file layout of the runbook for one port', () => {
    const rendered = base().render({ port: 6381 });
    expect(Object.keys(rendered.files)).toEqual(['redis.conf', 'redis-6381.conf']);
    const instance = rendered.files['redis-6381.conf']!;
    expect(instance.split('\n').find((l) => l.startsWith('include'))).toBe('include /data/redis/conf/redis.conf');
    for (const line of ['port 6381', 'cluster-config-file nodes-6381.conf', 'pidfile /var/run/redis-6381.pid', 'dir /data/redis/data/6381', 'dbfilename dump-6381.rdb', 'appendfilename "appendonly-6381.aof"', 'logfile /data/redis/log/redis-6381.log']) {
      expect(instance).toContain(line);
    }
    const common = rendered.files['redis.conf']!;
    for (const line of ['cluster-enabled yes', 'cluster-node-timeout 15000', 'repl-timeout 10', 'repl-ping-replica-period 1', 'tcp-backlog 32767', 'appendfsync no', 'cluster-require-full-coverage no', 'maxmemory 4gb', 'maxmemory-policy volatile-lru', 'save 900 1', 'save 300 10', 'save 60 10000', 'replica-read-only yes']) {
      expect(common).toContain(line);
    }
    expect(common).not.toContain('port ');
    expect(rendered.dirs).toEqual(['/data/redis/bin', '/data/redis/conf', '/data/redis/log', '/data/redis/data/6381']);
  });

  it('renders the 6-instance plan with one common file', () => {
    const rendered = base().render({ ports: [6381, 6382, 6383, 6384, 6385, 6386] });
    expect(Object.keys(rendered.files)).toHaveLength(7);
    expect(rendered.dirs.filter((d) => d.startsWith('/data/redis/data/'))).toHaveLength(6);
  });

  it('uses slave-* names before 5.0 and refuses options the version lacks', () => {
    const old = base({ redisVersion: '4.0' }).render({ port: 6381 }).files['redis.conf']!;
    expect(old).toContain('slave-read-only yes');
    expect(old).toContain('repl-ping-slave-period 1');
    expect(old).toContain('cluster-slave-validity-factor 0');
    expect(old).not.toContain('replica-');
    expect(ruleOf(() => base({ redisVersion: '5.0' }).render({ port: 6381, overrides: { 'cluster-announce-hostname': 'n1.example' } }))).toBe('option-not-in-version');
    expect(base().render({ port: 6381, overrides: { 'cluster-announce-hostname': 'n1.example' } }).files['redis-6381.conf']).toContain('cluster-announce-hostname n1.example');
  });

  it('applies the high-load and queue profiles, then overrides', () => {
    const high = base({ profile: 'high-load' }).render({ port: 6381 }).common.settings;
    expect(high).toMatchObject({ 'repl-ping-replica-period': '10', 'repl-timeout': '60', 'repl-backlog-size': '1gb', save: '900 20 300 200 60 200000' });
    expect(base({ profile: 'queue' }).render({ port: 6381 }).common.settings.appendonly).toBe('no');
    expect(base().render({ port: 6381, overrides: { 'repl-timeout': 60 } }).common.settings['repl-timeout']).toBe('60');
  });

  it('disables dangerous commands by renaming them to ""', () => {
    const text = base({ disableCommands: true }).render({ port: 6381 }).files['redis.conf']!;
    expect(text).toContain('rename-command KEYS ""');
    expect(text).toContain('rename-command FLUSHDB ""');
    expect(text).toContain('rename-command FLUSHALL ""');
    expect(base({ disableCommands: ['debug'] }).render({ port: 6381 }).common.renames).toEqual({ DEBUG: '' });
  });

  it('warns about risky choices without failing', () => {
    expect(base({ profile: 'high-load' }).render({ port: 6381, overrides: { appendfsync: 'always' } }).warnings.join()).toMatch(/fsync/);
    expect(base({ profile: 'queue' }).render({ port: 6381 }).warnings.join()).toMatch(/snapshots/);
    expect(new ConfigRenderer({ baseDir: '/data/redis' }).render({ port: 6381 }).warnings.join()).toMatch(/no maxmemory/);
  });

  it('never shows a secret in an error', () => {
    const error = (() => {
      try {
        base().render({ port: 6381, overrides: { requirepass: 'hunter2\nslaveof evil 1' } });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect(error?.message).not.toContain('hunter2');
  });
});

describe('every validation rule has a failing and a passing case', () => {
  const cases: [rule: string, bad: () => unknown, good: () => unknown][] = [
    ['repl-timeout-gt-ping-period', () => base().render({ port: 1, overrides: { 'repl-timeout': 1 } }), () => base().render({ port: 1, overrides: { 'repl-timeout': 2 } })],
    ['tcp-backlog-le-somaxconn', () => base({ hostSomaxconn: 4096 }).render({ port: 1 }), () => base({ hostSomaxconn: 32767 }).render({ port: 1 })],
    ['bare-file-name', () => base().render({ port: 1, overrides: { dbfilename: '/tmp/dump.rdb' } }), () => base().render({ port: 1, overrides: { dbfilename: 'dump.rdb' } })],
    ['memory-size', () => base({ maxmemory: '4 gigs' }).render({ port: 1 }), () => base({ maxmemory: '4294967296' }).render({ port: 1 })],
    ['port-range', () => base().render({ port: 60000 }), () => base().render({ port: 55535 })],
    ['port-duplicate', () => base().render({ ports: [7000, 7000] }), () => base().render({ ports: [7000, 7001] })],
    ['bus-port-clash', () => base().render({ ports: [7000, 17000] }), () => base().render({ ports: [7000, 17001] })],
    ['maxmemory-with-policy', () => new ConfigRenderer({ baseDir: '/d' }).render({ port: 1, overrides: { 'maxmemory-policy': 'allkeys-lru' } }), () => new ConfigRenderer({ baseDir: '/d' }).render({ port: 1, overrides: { 'maxmemory-policy': 'noeviction' } })],
    ['value-injection', () => base().render({ port: 1, overrides: { logfile: '/x\nslaveof 10.0.0.9 6379' } }), () => base().render({ port: 1, overrides: { logfile: '/x' } })],
    ['value-injection', () => base().render({ port: 1, overrides: { dir: '/data" \u0007' } }), () => base().render({ port: 1, overrides: { dir: '/data/r' } })],
    ['unknown-option', () => base().render({ port: 1, overrides: { 'slave-read-only': 'yes' } }), () => base().render({ port: 1, overrides: { 'replica-read-only': 'yes' } })],
    ['yes-no', () => base().render({ port: 1, overrides: { appendonly: 'true' } }), () => base().render({ port: 1, overrides: { appendonly: 'no' } })],
    ['integer', () => base().render({ port: 1, overrides: { maxclients: 'many' } }), () => base().render({ port: 1, overrides: { maxclients: 20000 } })],
    ['enum', () => base().render({ port: 1, overrides: { appendfsync: 'sometimes' } }), () => base().render({ port: 1, overrides: { appendfsync: 'everysec' } })],
    ['save-pairs', () => base().render({ port: 1, overrides: { save: '900' } }), () => base().render({ port: 1, overrides: { save: '' } })],
  ];
  it.each(cases)('%s', (rule, bad, good) => {
    expect(ruleOf(bad)).toBe(rule);
    expect(ruleOf(good)).toBeUndefined();
  });

  it('refuses a relative baseDir and an unknown profile before rendering', () => {
    expect(() => new ConfigRenderer({ baseDir: 'data/redis' })).toThrow(InvalidArgumentError);
    expect(() => new ConfigRenderer({ baseDir: '/d', profile: 'turbo' as never })).toThrow(/profile/);
  });
});

describe('parse', () => {
  it('reads include, quoted values, repeated save and rename-command', () => {
    const doc = parseConfig('# c\ninclude /a/redis.conf\nsave 900 1\nsave 300 10\nappendfilename "append only.aof"\nrename-command KEYS ""\nslave-read-only yes\n');
    expect(doc).toEqual({ includes: ['/a/redis.conf'], settings: { save: '900 1 300 10', appendfilename: 'append only.aof', 'replica-read-only': 'yes' }, renames: { KEYS: '' } });
  });

  it('parse(render(x)) == x for every profile, version and option mix', () => {
    for (const profile of ['default', 'high-load', 'queue'] as const) {
      for (const redisVersion of ['4.0', '5.0', '7.0']) {
        for (const disableCommands of [false, true]) {
          const rendered = base({ profile, redisVersion, disableCommands, pidDir: 'log' }).render({ ports: [6381, 6382], overrides: { 'repl-timeout': 30, save: '' } });
          expect(parseConfig(rendered.files['redis.conf']!)).toEqual(rendered.common);
          expect(parseConfig(rendered.files['redis-6382.conf']!)).toEqual(rendered.instances[6382]);
        }
      }
    }
  });
});

describe('service files', () => {
  it('renders a start script, a systemd template and a logrotate snippet', () => {
    const files = renderServiceFiles({ baseDir: '/data/redis', ports: [6381, 6382] });
    expect(files['start-all.sh']).toContain('/data/redis/bin/redis-server /data/redis/conf/redis-6382.conf');
    expect(files['redis@.service']).toContain('ExecStart=/data/redis/bin/redis-server /data/redis/conf/redis-%i.conf');
    expect(files['redis@.service']).toContain('LimitNOFILE=102400');
    expect(files['logrotate-redis']).toContain('copytruncate');
  });
});
