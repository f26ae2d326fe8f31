import type { LeaseAcquireResult, LeaseRecord, LeaseRenewResult, LeaseRequest, LeaseStore } from '../../src/index';

/**
 * A LeaseStore in this process's memory, with its own clock: the shape a team's custom store takes
 * (compare-and-set on one record, expiry measured by the store). For unit tests of OperationLock.
 */
export class MemoryLeaseStore implements LeaseStore {
  record: { token: string; fence: number; holder: LeaseRecord['holder']; expiresAt: number } | undefined;
  private fence = 0;
  calls: string[] = [];

  constructor(readonly now: () => number = () => Date.now()) {}

  async acquire(request: LeaseRequest): Promise<LeaseAcquireResult> {
    this.calls.push('acquire');
    const live = this.live();
    if (live !== undefined) return { acquired: false, current: live };
    this.record = { token: request.token, fence: ++this.fence, holder: request.holder, expiresAt: this.now() + request.ttlMs };
    return { acquired: true, fence: this.fence, replicated: true };
  }

  async renew(token: string, ttlMs: number): Promise<LeaseRenewResult> {
    this.calls.push('renew');
    const live = this.live();
    if (live?.token === token && this.record !== undefined) {
      this.record.expiresAt = this.now() + ttlMs;
      return { renewed: true };
    }
    return live === undefined ? { renewed: false } : { renewed: false, current: live };
  }

  async release(token: string): Promise<void> {
    this.calls.push('release');
    if (this.record?.token === token) this.record = undefined;
  }

  async read(): Promise<LeaseRecord | undefined> {
    return this.live();
  }

  async breakLease(token: string): Promise<boolean> {
    if (this.live()?.token !== token) return false;
    this.record = undefined;
    return true;
  }

  private live(): LeaseRecord | undefined {
    const record = this.record;
    if (record === undefined || record.expiresAt <= this.now()) return undefined;
    return { token: record.token, fence: record.fence, holder: record.holder, expiresInMs: record.expiresAt - this.now() };
  }
}
