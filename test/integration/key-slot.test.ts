import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterTopology, importData, keySlot, LocalCluster, NodePool } from '../../src/index';
import { findClusterPort } from '../../src/local/free-port';
import { RedisProcess } from '../../src/local/redis-process';
import { randomInt, seededRandom } from '../helpers/random';

/** Hash-tag edge cases: empty, nested and unbalanced braces, several tags, non-ASCII and non-UTF-8 bytes. */
function tagCorpus(): Buffer[] {
  const literal = [
    '', '{', '}', '{}', '}{', '{{', '}}', '{}{', '{{}}', '{}}', '{{}', '{a}', '{{a}}', '{a}}', '{{a}', '}{a}', '{a', 'a}',
    '{}x{y}', '{}{a}', 'a{}{b}', 'a{b}c{d}', 'x{}', '{ }', '{\t}', 'foo{}{bar}', 'foo{{bar}}zap', 'foo{bar}{zap}',
    '{é}', 'é{}ü', '{ü}{é}', '{😀}', '😀{}😀', '{user:1000}.followers', 'user:{1000}:{x}',
  ].map((text) => Buffer.from(text, 'utf8'));
  const binary = [[0x7b, 0xff, 0x7d], [0x7b, 0x7d, 0xff], [0xff, 0x7b, 0x00, 0x7d], [0x00], [0x7b, 0x00, 0x7d, 0x7b, 0x01, 0x7d], [0xc3, 0x28, 0x7b, 0x7d]].map((bytes) => Buffer.from(bytes));
  const alphabet = [[0x7b], [0x7d], [0x61], [0x62], [0x00], [0xff], [0xc3, 0xa9], [0xf0, 0x9f, 0x98, 0x80]];
  const random = seededRandom(7);
  const generated = Array.from({ length: 1500 }, () =>
    Buffer.concat(Array.from({ length: randomInt(random, 0, 9) }, () => Buffer.from(alphabet[randomInt(random, 0, alphabet.length - 1)]!))),
  );
  return [...literal, ...binary, ...generated];
}

describe('keySlot against CLUSTER KEYSLOT', () => {
  let local: LocalCluster;
  let topology: ClusterTopology;
  let source: RedisProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'rco-keyslot-'));
  const corpus = tagCorpus();

  beforeAll(async () => {
    local = await LocalCluster.start({ masters: 3, replicasPerMaster: 0 });
    topology = local.topology();
  });
  afterAll(async () => {
    await topology?.close();
    await source?.kill('SIGKILL');
    await local?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('agrees with the server on every key of a generated corpus of hash-tag edge cases, as bytes and as strings', async () => {
    const node = topology.pool.get(local.seeds[0]!);
    const replies = await node.pipeline(corpus.map((key) => ['CLUSTER', 'KEYSLOT', key]));
    const mismatches = corpus.map((key, i) => ({ key: key.toString('hex'), server: Number(replies[i]), ours: keySlot(key) })).filter((c) => c.server !== c.ours);
    expect(mismatches).toEqual([]);
    const texts = corpus.map((key) => key.toString('utf8')).filter((text) => Buffer.from(text, 'utf8').length > 0);
    const textReplies = await node.pipeline(texts.map((text) => ['CLUSTER', 'KEYSLOT', text]));
    expect(texts.filter((text, i) => keySlot(text) !== Number(textReplies[i]))).toEqual([]);
  });

  it('importData delivers keys whose first hash tag is empty to the node that owns their slot', async () => {
    const port = await findClusterPort('127.0.0.1');
    source = new RedisProcess({ host: '127.0.0.1', port, dir: join(dir, 'source'), redisServer: 'redis-server', config: { 'cluster-enabled': 'no' } });
    await source.start();
    const pool = new NodePool();
    const keys = ['{}x{y}', '{}{a}', 'a{}{b}', 'foo{}{bar}', '{}', '{}{}{c}'];
    try {
      const from = { host: source.host, port: source.port };
      for (const key of keys) await pool.get(from).call(['SET', key, `value of ${key}`]);
      const result = await importData({ from, into: topology });
      expect(result.movedKeys).toBe(keys.length);
      const state = await topology.refresh();
      for (const key of keys) {
        const owner = state.ownerOf(keySlot(key))!;
        expect(await topology.pool.get(owner.address).call(['GET', key])).toBe(`value of ${key}`);
      }
    } finally {
      await pool.close();
    }
  });
});
