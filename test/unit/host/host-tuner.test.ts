import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HostTuner } from '../../../src/index';

const roots: string[] = [];
afterEach(() => {
  while (roots.length > 0) rmSync(roots.pop() as string, { recursive: true, force: true });
});

/** A fake host tree: /proc/sys, /sys, /etc, a redis process's limits. */
function fakeRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'rco-host-'));
  roots.push(root);
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('/proc/sys/net/core/somaxconn', '4096\n');
  write('/proc/sys/vm/overcommit_memory', '0\n');
  write('/sys/kernel/mm/transparent_hugepage/enabled', 'always madvise [never]\n'.replace('[never]', 'never').replace('always', '[always]'));
  write('/etc/security/limits.conf', '# limits\n* soft nofile 1024\n@admin hard nproc 50\n');
  write('/etc/sysctl.conf', '# sysctl\nvm.swappiness = 10\n');
  write('/proc/4242/limits', 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n');
  return root;
}

describe('HostTuner on a temporary root', () => {
  it('inspects each setting with current, wanted and why', async () => {
    const items = await new HostTuner({ root: fakeRoot(), pid: 4242 }).inspect();
    expect(items.map((i) => [i.name, i.current, i.ok])).toEqual([
      ['nofile', '1024/-', false],
      ['somaxconn', '4096', false],
      ['overcommit', '0', false],
      ['thp', 'always', false],
    ]);
    expect(items[0]?.process).toBe('1024');
    expect(items.every((i) => i.why.startsWith('section 4'))).toBe(true);
  });

  it('dry run previews the exact edits and commands and writes nothing', async () => {
    const root = fakeRoot();
    const before = readFileSync(join(root, 'etc/security/limits.conf'), 'utf8');
    const result = await new HostTuner({ root, dryRun: true }).apply();
    expect(result.dryRun).toBe(true);
    expect(result.preview.join('\n')).toContain('sysctl -w net.core.somaxconn=32767');
    expect(result.preview.join('\n')).toContain('echo never > /sys/kernel/mm/transparent_hugepage/enabled');
    expect(readFileSync(join(root, 'etc/security/limits.conf'), 'utf8')).toBe(before);
    expect(existsSync(join(root, 'etc/sysctl.d/99-zz-redis-cluster-ops.conf'))).toBe(false);
  });

  it('applies, backs up, is idempotent on a second run, and verifies', async () => {
    const root = fakeRoot();
    const tuner = new HostTuner({ root });
    const first = await tuner.apply(await tuner.plan());
    expect(first.changed.sort()).toEqual([
      '/etc/rc.local',
      '/etc/security/limits.d/99-redis-cluster-ops.conf',
      '/etc/sysctl.d/99-zz-redis-cluster-ops.conf',
      '/proc/sys/net/core/somaxconn',
      '/proc/sys/vm/overcommit_memory',
      '/sys/kernel/mm/transparent_hugepage/enabled',
    ]);
    expect(first.backups).toEqual([]);
    expect(readFileSync(join(root, 'etc/security/limits.conf'), 'utf8')).toBe('# limits\n* soft nofile 1024\n@admin hard nproc 50\n');
    expect(readFileSync(join(root, 'etc/security/limits.d/99-redis-cluster-ops.conf'), 'utf8')).toBe('* soft nofile 102400\n* hard nofile 102400\n');
    expect(readFileSync(join(root, 'proc/sys/net/core/somaxconn'), 'utf8').trim()).toBe('32767');
    expect(readFileSync(join(root, 'etc/rc.local'), 'utf8')).toContain('echo never > /sys/kernel/mm/transparent_hugepage/enabled');
    const sysctl = readFileSync(join(root, 'etc/sysctl.d/99-zz-redis-cluster-ops.conf'), 'utf8');
    expect(sysctl).toBe('net.core.somaxconn = 32767\nvm.overcommit_memory = 1\n');

    expect((await tuner.plan()).edits).toEqual([]);
    const second = await tuner.apply();
    expect(second.changed).toEqual([]);
    expect(readFileSync(join(root, 'etc/sysctl.d/99-zz-redis-cluster-ops.conf'), 'utf8')).toBe(sysctl);
    expect((await tuner.verify()).ok).toBe(true);
  });

  it('refuses to apply without permission to write, naming the file, and writes nothing', () => {
    const root = fakeRoot();
    chmodSync(root, 0o755);
    for (const dir of ['proc', 'proc/sys', 'proc/sys/net', 'proc/sys/net/core', 'etc', 'etc/security']) chmodSync(join(root, dir), 0o755);
    const script = `import { HostTuner } from '${join(process.cwd(), 'src/index.ts')}';
try { await new HostTuner({ root: '${root}', settings: ['somaxconn'] }).apply(); console.log('applied'); }
catch (e) { console.log(e.name + ': ' + e.message); }`;
    const file = join(root, 'apply.mts');
    writeFileSync(file, script);
    chmodSync(file, 0o644);
    if (process.getuid?.() !== 0) return; // the case needs a second, unprivileged user: only root can switch to it
    const run = spawnSync(process.execPath, ['--import', 'tsx', file], { uid: 65534, gid: 65534, encoding: 'utf8', env: { ...process.env, HOME: '/tmp' }, cwd: process.cwd() });
    expect(run.stdout).toContain('HostTunerPermissionError');
    expect(run.stdout).toContain('/proc/sys/net/core/somaxconn');
    expect(readFileSync(join(root, 'proc/sys/net/core/somaxconn'), 'utf8').trim()).toBe('4096');
  });

  it('refuses unknown settings and a bad pid before touching anything', () => {
    expect(() => new HostTuner({ settings: ['swap' as never] })).toThrow(/host setting/);
    expect(() => new HostTuner({ pid: -1 })).toThrow(/pid/);
  });
});
