import { ConfigValidationError } from './errors';
import { OPTION_CATALOG, SECRET_OPTIONS, compareVersions, parseMemory } from './option-catalog';

export interface ValidationContext {
  version: string;
  /** The host's net.core.somaxconn, when known: tcp-backlog must not exceed it. */
  hostSomaxconn?: number;
  profile: string;
}

/** A value as it may appear in errors: secrets hidden. */
function shown(name: string, value: string): string {
  return SECRET_OPTIONS.has(name) ? '(hidden)' : value;
}

/**
 * Pure: checks every rule over the merged settings; throws ConfigValidationError naming the rule,
 * the directive and the fix; returns warnings for risky but legal choices.
 */
export function validateSettings(settings: Readonly<Record<string, string>>, context: ValidationContext): string[] {
  const fail = (rule: string, name: string, message: string): never => {
    throw new ConfigValidationError(rule, name, shown(name, settings[name] ?? ''), message);
  };
  for (const [name, value] of Object.entries(settings)) {
    // eslint-disable-next-line no-control-regex
    const spec = OPTION_CATALOG[name];
    // Paths are always written quoted and escaped, so a double quote in one is safe; elsewhere it is refused.
    if (/[\x00-\x1f\x7f]/.test(value) || (value.includes('"') && spec?.kind !== 'path')) {
      fail('value-injection', name, 'a value may not contain a line break, a control character or a double quote (it could inject directives). Pass one plain value');
    }
    if (spec === undefined) fail('unknown-option', name, 'not a directive this renderer knows; check the spelling (replica-* names, not slave-*)');
    const known = spec as NonNullable<typeof spec>;
    if (compareVersions(context.version, known.since) < 0) fail('option-not-in-version', name, `Redis ${context.version} does not have it (since ${known.since}); drop it or target a newer version`);
    if (known.kind === 'yes-no' && value !== 'yes' && value !== 'no') fail('yes-no', name, 'write yes or no');
    if (known.kind === 'integer' && !/^-?\d+$/.test(value)) fail('integer', name, 'write a whole number');
    if (known.kind === 'memory' && parseMemory(value) === undefined) fail('memory-size', name, 'write bytes or a size like 64mb, 1gb');
    if (known.kind === 'enum' && !(known.values ?? []).includes(value)) fail('enum', name, `write one of ${(known.values ?? []).join(', ')}`);
    if (known.kind === 'file-name' && (value.includes('/') || value === '' || value === '.' || value === '..')) {
      fail('bare-file-name', name, 'Redis wants a bare file name here (it lives in dir); move the path into dir');
    }
    if (known.kind === 'save' && value !== '' && !/^(\d+ \d+)( \d+ \d+)*$/.test(value)) fail('save-pairs', name, 'write pairs of seconds and changes, e.g. "900 1 300 10"');
  }

  const timeout = Number(settings['repl-timeout'] ?? 60);
  const period = Number(settings['repl-ping-replica-period'] ?? 10);
  if (!(timeout > period)) fail('repl-timeout-gt-ping-period', 'repl-timeout', `repl-timeout (${timeout}) must be greater than repl-ping-replica-period (${period}), or replicas time out between pings`);

  if (context.hostSomaxconn !== undefined && Number(settings['tcp-backlog'] ?? 511) > context.hostSomaxconn) {
    fail('tcp-backlog-le-somaxconn', 'tcp-backlog', `the host's net.core.somaxconn is ${context.hostSomaxconn}: the kernel truncates the backlog. Raise somaxconn (HostTuner) or lower tcp-backlog`);
  }

  const policy = settings['maxmemory-policy'];
  if (policy !== undefined && policy !== 'noeviction' && (parseMemory(settings.maxmemory ?? '0') ?? 0) === 0) {
    fail('maxmemory-with-policy', 'maxmemory', `maxmemory-policy ${policy} does nothing without a memory limit: set maxmemory (bytes or e.g. 4gb)`);
  }

  const warnings: string[] = [];
  if (settings.appendfsync === 'always' && context.profile === 'high-load') {
    warnings.push('appendfsync always under high load fsyncs every write: expect "Asynchronous AOF fsync is taking too long" (section 24.5); the runbook uses appendfsync no');
  }
  if (context.profile === 'queue' && settings.appendonly === 'yes' && (settings.save ?? '') !== '') {
    warnings.push('a queue cluster with both AOF and RDB snapshots: section 23 runs queues with appendonly no');
  }
  if (context.profile === 'queue' && (settings.save ?? '') !== '' && settings.appendonly === 'no') {
    warnings.push('a queue cluster still takes RDB snapshots (save): each fork doubles memory under a write burst; consider save ""');
  }
  if (settings.maxmemory === undefined) warnings.push('no maxmemory: the instance may grow until the host swaps; the runbook sets maxmemory in bytes');
  return warnings;
}

/** Ports: in range (the bus port is port + 10000), no duplicates, no port equal to another's bus port. */
export function validatePorts(ports: readonly number[]): void {
  const seen = new Set<number>();
  for (const port of ports) {
    if (!Number.isInteger(port) || port < 1 || port > 55535) {
      throw new ConfigValidationError('port-range', 'port', String(port), 'ports go from 1 to 55535 (the cluster bus listens on port + 10000)');
    }
    if (seen.has(port)) throw new ConfigValidationError('port-duplicate', 'port', String(port), 'each instance needs its own port');
    seen.add(port);
  }
  for (const port of ports) {
    if (seen.has(port + 10000)) {
      throw new ConfigValidationError('bus-port-clash', 'port', String(port + 10000), `port ${port + 10000} is both an instance port and the cluster bus port of ${port}. Move one of the two instances to another port: no instance may listen on another's port + 10000 (e.g. ports 6381-6386 with bus ports 16381-16386)`);
    }
  }
}
