import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClusterTopology,
  FailoverController,
  type OperationEndEvent,
  LocalCluster,
  OPERATION_LOCK_EVENT_NAMES,
  SlotMigrator,
  redactForLog,
  type Logger,
  type LogLevel,
} from '../../src/index';

const PASSWORD = 'log-secret-5d1e';

interface Entry {
  level: LogLevel;
  object: Record<string, unknown>;
  message: string | undefined;
}

function memoryLogger(): Logger & { entries: Entry[] } {
  const entries: Entry[] = [];
  const at = (level: LogLevel) => (object: Record<string, unknown>, message?: string) => entries.push({ level, object, message });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Records the name of every event an emitter emits. */
function recordEmits(emitter: object): Set<string> {
  const names = new Set<string>();
  const target = emitter as { emit: (name: string, ...args: unknown[]) => boolean };
  const original = target.emit.bind(emitter);
  target.emit = (name, ...args) => {
    names.add(name);
    return original(name, ...args);
  };
  return names;
}

describe('logger option', () => {
  let local: LocalCluster;
  beforeAll(async () => {
    local = await LocalCluster.start({ masters: 3, replicasPerMaster: 0, password: PASSWORD });
  });
  afterAll(async () => {
    await local?.stop();
  });

  it('receives every event of the topology, its lease and a migrator built on it, at its level, with no secret', async () => {
    const logger = memoryLogger();
    const topology = new ClusterTopology({ seeds: local.seeds, password: PASSWORD, logger });
    try {
      const topologyEmits = recordEmits(topology);
      const lockEmits = recordEmits(topology.lock);
      const migrator = new SlotMigrator(topology);
      const migratorEmits = recordEmits(migrator);
      const state = await topology.refresh();
      const [from, to] = state.masters;
      await migrator.reshard({ from: from!.id, to: to!.id, slots: 4 });

      const logged = (source: string) => new Set(logger.entries.filter((e) => e.object.source === source).map((e) => e.object.event as string));
      expect([...migratorEmits].sort()).toEqual([...logged('SlotMigrator')].sort());
      expect([...lockEmits].sort()).toEqual([...logged('OperationLock')].sort());
      expect([...topologyEmits].sort()).toEqual([...logged('ClusterTopology')].sort());
      for (const name of ['plan-ready', 'start', 'end']) expect(logged('SlotMigrator')).toContain(name);
      expect([...logged('OperationLock')].every((name) => (OPERATION_LOCK_EVENT_NAMES as readonly string[]).includes(name))).toBe(true);
      expect(logged('OperationLock')).toContain('lease-acquired');

      const end = logger.entries.find((e) => e.object.source === 'SlotMigrator' && e.object.event === 'end');
      expect(end).toMatchObject({ level: 'info', message: 'end', object: { status: 'done' } });
      expect(logger.entries.find((e) => e.object.event === 'batch')?.level ?? 'debug').toBe('debug');
      expect(JSON.stringify(logger.entries)).not.toContain(PASSWORD);
      expect(SlotMigrator.eventNames).toContain('slot-moved');
      expect(ClusterTopology.eventNames).toContain('node-unreachable');
    } finally {
      await topology.close();
    }
  });

  it('<op>-end reports every outcome with a status: done, failed (with the code) and aborted; <op>-planned comes from the plan call', async () => {
    const topology = new ClusterTopology({ seeds: local.seeds, password: PASSWORD });
    const controller = new FailoverController(topology);
    const ends: OperationEndEvent[] = [];
    controller.on('rehome-end', (event) => ends.push(event));
    controller.on('failover-end', (event) => ends.push(event));
    let planned = 0;
    controller.on('spread-planned', () => (planned += 1));
    try {
      await controller.executeRehome(await controller.planRehomeReplicas());
      const state = await topology.refresh();
      const master = state.masters[0]!;
      await expect(controller.failover('f'.repeat(40))).rejects.toMatchObject({ code: 'ERR_UNKNOWN_NODE' });
      const replicaless = new AbortController();
      replicaless.abort(new Error('operator pressed ctrl-c'));
      await expect(controller.failover(master.id, { signal: replicaless.signal })).rejects.toMatchObject({ code: 'ERR_ABORTED' });
      await controller.planSpreadMasters();
      expect(planned).toBe(1);
    } finally {
      await topology.close();
    }
    expect(ends.map((event) => [event.operation, event.status])).toEqual([
      ['rehome', 'done'],
      ['failover', 'failed'],
      ['failover', 'aborted'],
    ]);
    expect(ends[1]?.error?.code).toMatch(/^ERR_/);
    expect(JSON.stringify(ends)).not.toContain(PASSWORD);
  });

  it('redacts credentials, tokens and TLS material at any depth and scrubs known secrets from strings', () => {
    const redacted = redactForLog({ a: { password: 'x', tls: { key: 'k' }, note: `auth ${PASSWORD} failed` }, holder: { token: 't', host: 'h' }, raw: Buffer.from('abc') }, [PASSWORD]);
    expect(redacted).toEqual({ a: { password: '[redacted]', tls: '[redacted]', note: 'auth *** failed' }, holder: { token: '[redacted]', host: 'h' }, raw: '<3 bytes>' });
  });
});
