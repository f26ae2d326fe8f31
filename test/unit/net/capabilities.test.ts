import { describe, expect, it } from 'vitest';
import { capabilitiesOf, compareVersions, MalformedReplyError, parseServerInfo, parseServerVersionLine, tokenize } from '../../../src/index';
import { quoteConfigValue } from '../../../src/config/render-config';

describe('server capabilities', () => {
  it('reads Redis and Valkey from INFO server (Valkey 8 says redis_version:7.2.4 and valkey_version)', () => {
    expect(parseServerInfo({ redis_version: '5.0.14', redis_mode: 'cluster' })).toEqual({ kind: 'redis', version: '5.0.14', redisCompatibleVersion: '5.0.14' });
    expect(parseServerInfo({ redis_version: '7.2.4', server_name: 'valkey', valkey_version: '8.0.1' })).toEqual({ kind: 'valkey', version: '8.0.1', redisCompatibleVersion: '7.2.4' });
    expect(() => parseServerInfo({ os: 'Linux' })).toThrow(MalformedReplyError);
  });

  it('reads --version lines of redis-server and valkey-server', () => {
    expect(parseServerVersionLine('Redis server v=6.2.16 sha=00000000:0 malloc=libc bits=64 build=333f6e4f68100f8a')).toEqual({ kind: 'redis', version: '6.2.16', redisCompatibleVersion: '6.2.16' });
    expect(parseServerVersionLine('Valkey server v=8.0.1 sha=00000000:1 malloc=libc bits=64')).toMatchObject({ kind: 'valkey', version: '8.0.1' });
    expect(parseServerVersionLine('Python 3.11')).toBeUndefined();
  });

  it.each([
    ['redis', '5.0.14', { slotRanges: false, aclUsers: false, clusterShards: false, bindSourceAddr: false, tls: false, replicatesSetSlot: false, allowReplicaMigrationConfig: false, rdbVersion: 9, infoEverything: false, manualFailoverNeedsOffset: true }],
    ['redis', '6.2.16', { slotRanges: false, aclUsers: true, clusterShards: false, bindSourceAddr: false, tls: true, replicatesSetSlot: false, allowReplicaMigrationConfig: true, rdbVersion: 9, infoEverything: true, manualFailoverNeedsOffset: false }],
    ['redis', '7.0.15', { slotRanges: true, aclUsers: true, clusterShards: true, bindSourceAddr: true, tls: true, replicatesSetSlot: false, rdbVersion: 10 }],
    ['redis', '7.2.6', { slotRanges: true, clusterShards: true, replicatesSetSlot: false, rdbVersion: 11 }],
    ['redis', '7.4.1', { slotRanges: true, clusterShards: true, replicatesSetSlot: false, rdbVersion: 12 }],
    ['valkey', '8.0.1', { slotRanges: true, aclUsers: true, clusterShards: true, replicatesSetSlot: true, rdbVersion: 11 }],
  ] as const)('%s %s supports what its source has', (kind, version, expected) => {
    const redisCompatibleVersion = kind === 'valkey' ? '7.2.4' : version;
    expect(capabilitiesOf({ kind, version, redisCompatibleVersion })).toMatchObject({ ...expected, clusterReplicasCommand: 'REPLICAS' });
  });

  it('compares versions numerically', () => {
    expect(compareVersions('6.2.16', '7.0')).toBe(-1);
    expect(compareVersions('7.0', '7.0.0')).toBe(0);
    expect(compareVersions('10.0', '9.9')).toBe(1);
  });
});

describe('config values are quoted so that redis.conf reads them back', () => {
  it.each(['/data/redis', '/data/redis cluster/conf/redis.conf', `/it's "quoted"/x`, '/back\\slash dir', '/données/数据', ''])('%j', (value) => {
    expect(tokenize(`include ${quoteConfigValue(value)}`)).toEqual(['include', value]);
  });
});
