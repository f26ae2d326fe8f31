import { describe, expect, it } from 'vitest';
import { MalformedReplyError, keySlot, parseClusterNodes, parseInfo } from '../../../src/index';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

const SAMPLE = [
  `${A} 127.0.0.1:30001@40001 myself,master - 0 1700000000000 1 connected 0-5460 [5461->-${B}]`,
  `${B} 127.0.0.2:30002@40002,node-b.example master - 0 1700000000001 2 connected 5461-10922 [100-<-${A}]`,
  `${C} 127.0.0.3:30003@40003 slave,fail ${A} 1700000000002 1700000000003 1 disconnected`,
].join('\n');

describe('parseClusterNodes', () => {
  it('reads ids, addresses, hostnames, roles, flags, epochs and link state', () => {
    const [a, b, c] = parseClusterNodes(SAMPLE);
    expect(a).toMatchObject({ id: A, host: '127.0.0.1', port: 30001, cport: 40001, address: '127.0.0.1:30001', role: 'master', myself: true, configEpoch: 1 });
    expect(b?.hostname).toBe('node-b.example');
    expect(c).toMatchObject({ role: 'replica', masterId: A, failed: true, linkState: 'disconnected' });
    expect(c?.slots.size).toBe(0);
  });

  it('separates owned slots from migrating and importing marks', () => {
    const [a, b] = parseClusterNodes(SAMPLE);
    expect(a?.slots.toString()).toBe('0-5460');
    expect(a?.migrating).toEqual([{ slot: 5461, nodeId: B }]);
    expect(b?.importing).toEqual([{ slot: 100, nodeId: A }]);
  });

  it('reads nodes in handshake, noaddr nodes and IPv6 addresses', () => {
    const nodes = parseClusterNodes(
      [`${A} 127.0.0.1:30001@40001 handshake - 0 0 0 connected`, `${B} :0@0 master,noaddr - 0 0 3 disconnected 1-2`, `${C} [::1]:30003@40003 master - 0 0 4 connected`].join('\n'),
    );
    expect(nodes[0]?.handshake).toBe(true);
    expect(nodes[1]?.host).toBe('');
    expect(nodes[2]).toMatchObject({ host: '::1', address: '[::1]:30003' });
  });

  it('rejects malformed lines with an error naming the line', () => {
    expect(() => parseClusterNodes('garbage')).toThrow(MalformedReplyError);
    expect(() => parseClusterNodes(`${A} 127.0.0.1:1@2 master - 0 0 1 connected 0-99999`)).toThrow(/0-99999/);
    expect(() => parseClusterNodes(`${A} 127.0.0.1 master - 0 0 1 connected`)).toThrow(/bad address/);
    expect(() => parseClusterNodes(`nothex 127.0.0.1:1@2 master - 0 0 1 connected`)).toThrow(/bad node id/);
    expect(() => parseClusterNodes(`${A} 127.0.0.1:1@2 master - 0 0 1 sideways`)).toThrow(/link state/);
  });
});

describe('parseInfo', () => {
  it('reads key:value lines and skips section headers', () => {
    expect(parseInfo('# Cluster\r\ncluster_state:ok\r\ncluster_known_nodes:6\r\n')).toEqual({ cluster_state: 'ok', cluster_known_nodes: '6' });
  });
  it('rejects a line without a colon', () => {
    expect(() => parseInfo('cluster_state ok')).toThrow(MalformedReplyError);
  });
});

describe('keySlot', () => {
  it('hashes the hash tag only, as Redis does', () => {
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    expect(keySlot('{}x')).toBe(keySlot('{}x'));
  });
});
