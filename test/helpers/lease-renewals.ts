import { expect } from 'vitest';
import type { ClusterTopology } from '../../src/index';

/** Waits until the topology's lease was renewed `count` more times, then checks it still holds the lease. */
export async function expectLeaseRenewed(topology: ClusterTopology, count = 2, timeoutMs = 10_000): Promise<void> {
  const token = topology.lock.current?.token;
  let renewed = 0;
  const listener = (): void => {
    renewed++;
  };
  topology.lock.on('lease-renewed', listener);
  try {
    await expect.poll(() => renewed, { timeout: timeoutMs }).toBeGreaterThanOrEqual(count);
  } finally {
    topology.lock.off('lease-renewed', listener);
  }
  expect(token).toBeDefined();
  expect((await topology.lockHolder())?.token).toBe(token);
}
