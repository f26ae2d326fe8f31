/**
 * One operator at a time: two tools reshard the same cluster at once. The first takes the
 * cluster's operation lease; the second is refused before it sends anything, with the holder named
 * (host, pid, operation, since, expiry). Then a stale lease left by a holder on a host that died is
 * broken by name, and the next operation proceeds. See docs/safety.md.
 * Run: npx tsx examples/operation-lock.ts
 */
import { ClusterTopology, DEFAULT_OPERATION_LOCK_OPTIONS, LocalCluster, OperationLockedError, SlotMigrator } from '../src/index';

const local = await LocalCluster.start({ masters: 3, replicasPerMaster: 1 });
// Two tools embedding the SDK, each with its own topology (as two processes would have).
const nightly = new ClusterTopology({ seeds: local.seeds, lock: { owner: 'nightly-rebalancer' } });
const oncall = new ClusterTopology({ seeds: local.seeds, lock: { owner: 'oncall-cli' } });
const client = local.client();

try {
  await Promise.all(Array.from({ length: 2000 }, (_, i) => client.set(`lock-demo:${i}`, `v${i}`)));
  const state = await nightly.refresh();
  const [a, b, c] = state.masters;
  nightly.lock.on('lease-acquired', (e) => console.log(`nightly-rebalancer took the lease for "${e.operation}" (fence ${e.fence}, replicated: ${e.replicated})`));

  const outcomes = await Promise.allSettled([
    new SlotMigrator(nightly).reshard({ from: a!.id, to: b!.id, slots: 500 }),
    // Started a moment later, overlapping slots: refused.
    new Promise((resolve) => setTimeout(resolve, 50)).then(() => new SlotMigrator(oncall).reshard({ from: a!.id, to: c!.id, slots: 500 })),
  ]);
  const [first, second] = outcomes;
  console.log(`nightly-rebalancer: ${first!.status === 'fulfilled' ? `moved ${first.value.movedSlots} slots, ${first.value.movedKeys} keys` : String(first!.reason)}`);
  if (second!.status === 'rejected' && second.reason instanceof OperationLockedError) {
    console.log(`oncall-cli refused:\n  ${second.reason.message}`);
  } else {
    throw new Error('the second reshard should have been refused');
  }

  // A lease left by a process on a host that died (written by hand here): refused until broken by name.
  const token = 'ab'.repeat(16);
  await client.set(DEFAULT_OPERATION_LOCK_OPTIONS.key, `${token}:1:${JSON.stringify({ h: 'db-tools-7', p: 4242, o: 'drain', s: Date.now() - 600_000 })}`, 'PX', 3_600_000);
  const refused = await oncall.fix().catch((error: unknown) => error);
  if (!(refused instanceof OperationLockedError)) throw new Error('fix() should have been refused');
  console.log(`\nfix() refused while ${refused.holder.holder.host} pid ${refused.holder.holder.pid} holds the lease ("${refused.holder.holder.operation}")`);
  const broken = await oncall.breakLock(refused.holder.token);
  console.log(`broke the lease of ${broken?.holder.host}; fix() now runs:`);
  const report = await oncall.fix();
  console.log(`  fixed ${report.openSlots.length} open slot(s); lease holder now: ${(await oncall.lockHolder()) === undefined ? 'nobody' : 'someone'}`);

  const keys = (await Promise.all(Array.from({ length: 2000 }, (_, i) => client.get(`lock-demo:${i}`)))).filter((v, i) => v === `v${i}`).length;
  console.log(`\n${keys} of 2000 keys intact`);
  if (keys !== 2000) throw new Error('keys were lost');
} finally {
  client.disconnect();
  await nightly.close();
  await oncall.close();
  await local.stop();
}
