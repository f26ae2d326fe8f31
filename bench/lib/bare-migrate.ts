import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { findClusterPort } from '../../src/local/free-port';
import { RedisProcess } from '../../src/local/redis-process';

/**
 * The physical limit of MIGRATE on this machine: two standalone redis-servers, `keys` keys of `valueBytes`,
 * moved with a bare loop of `MIGRATE ... KEYS` (`perCall` keys each, one in flight, key names known in
 * advance: no GETKEYSINSLOT, no SETSLOT). Returns keys/s of each run (direction alternating).
 */
export async function bareMigrateLoop(options: { keys: number; valueBytes: number; perCall: number; runs: number }): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'rco-bare-migrate-'));
  const ports = [await findClusterPort('127.0.0.1')];
  ports.push(await findClusterPort('127.0.0.1', { exclude: new Set(ports) }));
  const servers = ports.map((port) => new RedisProcess({ host: '127.0.0.1', port, dir: join(dir, String(port)), redisServer: 'redis-server', config: { 'cluster-enabled': 'no' } }));
  const clients: Redis[] = [];
  try {
    for (const server of servers) await server.start();
    for (const port of ports) clients.push(new Redis({ host: '127.0.0.1', port }));
    const names = Array.from({ length: options.keys }, (_, i) => `bare:${i}`);
    const value = 'v'.repeat(options.valueBytes);
    for (let i = 0; i < names.length; i += 1000) {
      const pipeline = clients[0]!.pipeline();
      for (const name of names.slice(i, i + 1000)) pipeline.set(name, value);
      await pipeline.exec();
    }
    const rates: number[] = [];
    for (let run = 0; run < options.runs; run++) {
      const [from, toPort] = run % 2 === 0 ? [clients[0]!, ports[1]!] : [clients[1]!, ports[0]!];
      const started = performance.now();
      for (let i = 0; i < names.length; i += options.perCall) {
        await from.call('MIGRATE', '127.0.0.1', toPort, '', 0, 5000, 'KEYS', ...names.slice(i, i + options.perCall));
      }
      rates.push((names.length * 1000) / (performance.now() - started));
    }
    return rates;
  } finally {
    for (const client of clients) client.disconnect();
    for (const server of servers) await server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The same limit inside a cluster, which is what a reshard can reach: cluster-mode servers index every key by
 * slot, so each key they add or drop costs more than on standalone ones. Moves `slots` (their keys named in
 * advance by `keysOf`) from `from` to `to` with the least protocol there is: every slot IMPORTING / MIGRATING in
 * two pipelines, one `MIGRATE ... KEYS` per slot (one in flight), then `SETSLOT NODE` on every master in one
 * pipeline each. No checks, no retries, no fencing. Returns keys/s.
 */
export async function bareClusterReshard(options: {
  from: { host: string; port: number; id: string };
  to: { host: string; port: number; id: string };
  masters: readonly { host: string; port: number }[];
  slots: readonly number[];
  keysOf: (slot: number) => string[];
}): Promise<number> {
  const connect = (node: { host: string; port: number }): Redis => new Redis({ host: node.host, port: node.port });
  const source = connect(options.from);
  const target = connect(options.to);
  const others = options.masters.filter((m) => m.port !== options.from.port && m.port !== options.to.port).map(connect);
  try {
    const started = performance.now();
    const importing = target.pipeline();
    for (const slot of options.slots) importing.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', options.from.id);
    await importing.exec();
    const migrating = source.pipeline();
    for (const slot of options.slots) migrating.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', options.to.id);
    await migrating.exec();
    let keys = 0;
    for (const slot of options.slots) {
      const names = options.keysOf(slot);
      keys += names.length;
      await source.call('MIGRATE', options.to.host, options.to.port, '', 0, 5000, 'KEYS', ...names);
    }
    await Promise.all(
      [target, source, ...others].map((node) => {
        const assign = node.pipeline();
        for (const slot of options.slots) assign.call('CLUSTER', 'SETSLOT', slot, 'NODE', options.to.id);
        return assign.exec();
      }),
    );
    return (keys * 1000) / (performance.now() - started);
  } finally {
    for (const node of [source, target, ...others]) node.disconnect();
  }
}
