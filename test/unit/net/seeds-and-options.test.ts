import { describe, expect, it } from 'vitest';
import { ClusterTopology, InvalidArgumentError, UnknownOptionError, importData, parseSeed } from '../../../src/index';
import { resolveImportOptions } from '../../../src/import/import-options';

const SECRET = 's3cr3t-Pa55';

describe('seeds', () => {
  it('accepts { host, port }, host:port, [ipv6]:port, redis:// and rediss:// URLs', () => {
    expect(parseSeed({ host: '10.0.0.1', port: 6381 })).toEqual({ address: { host: '10.0.0.1', port: 6381 }, connection: {} });
    expect(parseSeed('10.0.0.1:6381')).toEqual({ address: { host: '10.0.0.1', port: 6381 }, connection: {} });
    expect(parseSeed('[::1]:6381').address).toEqual({ host: '::1', port: 6381 });
    expect(parseSeed('redis://10.0.0.1:6381')).toEqual({ address: { host: '10.0.0.1', port: 6381 }, connection: {} });
    expect(parseSeed(`redis://:${SECRET}@10.0.0.1:6381`).connection).toEqual({ password: SECRET });
    expect(parseSeed(`rediss://ops:${encodeURIComponent('p@ss word')}@redis.internal:6390/0`)).toEqual({
      address: { host: 'redis.internal', port: 6390 },
      connection: { username: 'ops', password: 'p@ss word', tls: true },
    });
    expect(parseSeed('redis://[::1]:6381').address).toEqual({ host: '::1', port: 6381 });
  });

  it('refuses bad seeds by argument name, never echoing a password', () => {
    for (const bad of [`redis://:${SECRET}@10.0.0.1`, `redis://ops:${SECRET}@10.0.0.1:6381/3`, 'localhost', { host: '', port: 1 }]) {
      let error: unknown;
      try {
        new ClusterTopology({ seeds: ['10.0.0.1:6381', bad as string] });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).argument).toMatch(/^seeds\[1\]/);
      expect((error as Error).message).not.toContain(SECRET);
      expect(JSON.stringify(error)).not.toContain(SECRET);
    }
  });

  it('takes credentials and TLS from seed URLs unless given as options; seeds that disagree are refused', () => {
    const topology = new ClusterTopology({ seeds: [`rediss://ops:${SECRET}@10.0.0.1:6381`, '10.0.0.2:6381'] });
    expect(topology.options).toMatchObject({ seeds: [{ host: '10.0.0.1', port: 6381 }, { host: '10.0.0.2', port: 6381 }], username: 'ops', password: SECRET, tls: {} });
    const explicit = new ClusterTopology({ seeds: [`redis://:${SECRET}@10.0.0.1:6381`], password: 'other' });
    expect(explicit.options.password).toBe('other');
    expect(() => new ClusterTopology({ seeds: [`redis://:a@10.0.0.1:6381`, `redis://:b@10.0.0.2:6381`] })).toThrow(InvalidArgumentError);
  });
});

describe('unknown options', () => {
  it('ClusterTopology refuses an ioredis option by name instead of ignoring it', () => {
    const options = { seeds: ['10.0.0.1:6381'], maxRetriesPerRequest: 3 };
    expect(() => new ClusterTopology(options as never)).toThrow(UnknownOptionError);
    try {
      new ClusterTopology({ seeds: ['10.0.0.1:6381'], connectTimeout: 100 } as never);
    } catch (error) {
      expect((error as UnknownOptionError).option).toBe('connectTimeout');
      expect((error as UnknownOptionError).code).toBe('ERR_UNKNOWN_OPTION');
      expect((error as Error).message).toContain('connectTimeoutMs');
    }
  });

  it("importData's source takes the same connection options (tls, natMap, credentials) and refuses unknown ones before connecting", async () => {
    const into = new ClusterTopology({ seeds: ['127.0.0.1:1'] });
    const natMap = { '10.0.0.9:6379': { host: '127.0.0.1', port: 6379 } };
    const resolved = resolveImportOptions({ from: { host: '10.0.0.9', port: 6379, tls: {}, natMap, username: 'ops', password: SECRET }, into });
    expect(resolved.from).toEqual({ host: '10.0.0.9', port: 6379 });
    expect(resolved.source).toMatchObject({ tls: {}, natMap, username: 'ops', password: SECRET });
    expect(resolveImportOptions({ from: `rediss://:${SECRET}@10.0.0.9:6379`, into }).source).toMatchObject({ tls: {}, password: SECRET });
    // Refused before anything is sent: the target seed does not even exist.
    await expect(importData({ from: { host: '10.0.0.9', port: 6379, retryStrategy: () => 1 } as never, into })).rejects.toMatchObject({ code: 'ERR_UNKNOWN_OPTION', option: 'from.retryStrategy' });
    await expect(importData({ from: '10.0.0.9:6379', into, batch: 5 } as never)).rejects.toMatchObject({ code: 'ERR_UNKNOWN_OPTION', option: 'batch' });
    await into.close();
  });
});
