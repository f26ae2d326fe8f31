import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, ClusterTopology, LocalCluster, replicaReadCluster } from '../../src/index';

const PASSWORD = 'url-secret-7f3a';

describe('seeds as strings and URLs against a password-protected cluster', () => {
  let local: LocalCluster;
  beforeAll(async () => {
    local = await LocalCluster.start({ masters: 3, replicasPerMaster: 0, password: PASSWORD });
  });
  afterAll(async () => {
    await local?.stop();
  });

  it('discovers the cluster from a redis:// URL carrying the password, and from host:port plus a password option', async () => {
    const [seed] = local.seeds;
    const fromUrl = new ClusterTopology({ seeds: [`redis://:${encodeURIComponent(PASSWORD)}@${seed!.host}:${seed!.port}`] });
    const fromString = new ClusterTopology({ seeds: [`${seed!.host}:${seed!.port}`], password: PASSWORD });
    try {
      expect((await fromUrl.refresh()).masters).toHaveLength(3);
      expect((await fromString.refresh()).masters).toHaveLength(3);
    } finally {
      await fromUrl.close();
      await fromString.close();
    }
  });

  it('a wrong password in a URL fails as ERR_AUTH without the password in the error', async () => {
    const [seed] = local.seeds;
    const wrong = 'wrong-pass-91c2';
    const topology = new ClusterTopology({ seeds: [`redis://:${wrong}@${seed!.host}:${seed!.port}`] });
    try {
      const error = await topology.refresh().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeDefined();
      const text = `${String((error as Error).message)} ${JSON.stringify(error)}`;
      expect(text).not.toContain(wrong);
      const codes = [(error as AuthenticationError).code, ((error as Error).cause as AuthenticationError | undefined)?.code];
      expect(codes.some((code) => code === 'ERR_AUTH' || code === 'ERR_NODE_UNREACHABLE')).toBe(true);
    } finally {
      await topology.close();
    }
  });

  it('replicaReadCluster takes URL seeds with their credentials', async () => {
    const [seed] = local.seeds;
    const client = replicaReadCluster([`redis://:${PASSWORD}@${seed!.host}:${seed!.port}`], { scaleReads: 'all' });
    try {
      await client.set('url-seed-key', 'v');
      expect(await client.get('url-seed-key')).toBe('v');
    } finally {
      client.disconnect();
    }
  });
});
