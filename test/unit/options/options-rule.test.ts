import { describe, expect, it } from 'vitest';
import * as api from '../../../src/index';
import { ClusterTopology, ConfigRenderer, FailoverController, HostTuner, SlotMigrator } from '../../../src/index';
import { resolveImportOptions } from '../../../src/import/import-options';

/** Every key of `defaults`, set explicitly to undefined. */
const allUndefined = (defaults: object): Record<string, undefined> => Object.fromEntries(Object.keys(defaults).map((key) => [key, undefined]));

describe('one options rule', () => {
  it('every exported DEFAULT_* object is frozen', () => {
    const defaults = Object.entries(api).filter(([name]) => name.startsWith('DEFAULT_'));
    expect(defaults.length).toBeGreaterThan(5);
    expect(defaults.filter(([, value]) => !Object.isFrozen(value)).map(([name]) => name)).toEqual([]);
  });

  it('an option passed as undefined means its default, in every class', () => {
    const topology = new ClusterTopology({ seeds: ['127.0.0.1:7000'], ...allUndefined(api.DEFAULT_CLUSTER_TOPOLOGY_OPTIONS), ...allUndefined(api.DEFAULT_CONNECTION_OPTIONS) });
    expect(topology.options).toMatchObject({ ...api.DEFAULT_CLUSTER_TOPOLOGY_OPTIONS, ...api.DEFAULT_CONNECTION_OPTIONS });
    expect(new SlotMigrator(topology, allUndefined(api.DEFAULT_SLOT_MIGRATOR_OPTIONS)).options).toMatchObject(api.DEFAULT_SLOT_MIGRATOR_OPTIONS);
    expect(new FailoverController(topology, allUndefined(api.DEFAULT_FAILOVER_CONTROLLER_OPTIONS)).options).toMatchObject(api.DEFAULT_FAILOVER_CONTROLLER_OPTIONS);
    expect(() => new ConfigRenderer({ baseDir: '/data/redis', ...allUndefined(api.DEFAULT_CONFIG_RENDERER_OPTIONS) })).not.toThrow();
    expect(new HostTuner(allUndefined(api.DEFAULT_HOST_TUNER_OPTIONS)).options).toMatchObject(api.DEFAULT_HOST_TUNER_OPTIONS);
    const copy = { ...api.DEFAULT_IMPORT_OPTIONS };
    expect(resolveImportOptions({ from: '127.0.0.1:7001', into: topology, ...allUndefined(copy) })).toMatchObject(copy);
  });
});
