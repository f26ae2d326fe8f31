import { ClusterOpsError } from '../../errors';

/**
 * Errors of membership operations (addNode, removeNode, forgetEverywhere, replicate). Each is
 * thrown before any command is sent when it describes bad input, and names what to do next.
 */

/** A node passed where a replica is expected is a master (one that serves slots). */
export class NotAReplicaError extends ClusterOpsError {
  readonly nodeId: string;

  constructor(nodeId: string, address: string, slots: number, what: string) {
    super(
      'ERR_NOT_A_REPLICA',
      `Node ${address} (${nodeId}) is a master${slots > 0 ? ` serving ${slots} slot(s)` : ''}, not a replica: ${what}. ` +
        (slots > 0 ? 'Pass the id of one of its replicas, or drain it first (SlotMigrator.drain) if it should become a replica.' : 'Pass the id of a replica.'),
      { details: { nodeId, address, slots } },
    );
    this.nodeId = nodeId;
  }
}

/** A node passed where a master is expected is a replica. */
export class NotAMasterError extends ClusterOpsError {
  readonly nodeId: string;

  constructor(nodeId: string, address: string, masterId: string | undefined, what: string) {
    super(
      'ERR_NOT_A_MASTER',
      `Node ${address} (${nodeId}) is a replica${masterId === undefined ? '' : ` of ${masterId}`}, not a master: ${what}. ` +
        `CLUSTER REPLICATE only accepts a master's id ("I can only replicate a master, not a replica")${masterId === undefined ? '' : `: pass ${masterId}`}.`,
      { details: { nodeId, address, masterId } },
    );
    this.nodeId = nodeId;
  }
}

/** The replica passed replicates another master than the one the caller named. */
export class ReplicaOfOtherMasterError extends ClusterOpsError {
  readonly nodeId: string;
  readonly masterId: string | undefined;
  readonly expectedMasterId: string;

  constructor(nodeId: string, address: string, masterId: string | undefined, expectedMasterId: string) {
    super(
      'ERR_REPLICA_OF_OTHER_MASTER',
      `Replica ${address} (${nodeId}) replicates ${masterId ?? 'no known master'}, not ${expectedMasterId}. ` +
        `Pass one of ${expectedMasterId}'s replicas (state.replicasOf("${expectedMasterId}")), or move this one first with replicate().`,
      { details: { nodeId, address, masterId, expectedMasterId } },
    );
    this.nodeId = nodeId;
    this.masterId = masterId;
    this.expectedMasterId = expectedMasterId;
  }
}

/** removeNode / forgetEverywhere of a master that still serves slots. */
export class MasterOwnsSlotsError extends ClusterOpsError {
  readonly nodeId: string;
  readonly slots: string;

  constructor(nodeId: string, address: string, slots: string, operation: 'removeNode' | 'forgetEverywhere') {
    super(
      'ERR_MASTER_OWNS_SLOTS',
      `${operation} refused: master ${address} (${nodeId}) still serves slots ${slots}. ` +
        (operation === 'removeNode'
          ? 'A master must first move all its slots away: drain it (new SlotMigrator(topology).drain(id)), then remove it.'
          : 'Forgetting it would leave those slots uncovered: wait for its replica to be promoted (or run FailoverController.failover on the replica), or drain it first.'),
      { details: { nodeId, address, slots } },
    );
    this.nodeId = nodeId;
    this.slots = slots;
  }
}

/** forgetEverywhere of a node that still answers, without `allowLive`. */
export class NodeStillReachableError extends ClusterOpsError {
  readonly nodeId: string;

  constructor(nodeId: string, address: string, operation: string, fix: string) {
    super('ERR_NODE_STILL_REACHABLE', `${operation} refused: node ${address} (${nodeId}) is alive and answering. ${fix}`, { details: { nodeId, address, operation } });
    this.nodeId = nodeId;
  }
}

/** forgetEverywhere of a master that live replicas still replicate ("Can't forget my master!"). */
export class MasterHasReplicasError extends ClusterOpsError {
  readonly nodeId: string;
  readonly replicaIds: readonly string[];

  constructor(nodeId: string, address: string, replicas: readonly { id: string; address: string }[]) {
    super(
      'ERR_MASTER_HAS_REPLICAS',
      `Cannot forget ${address} (${nodeId}): replicas ${replicas.map((r) => r.address).join(', ')} still replicate it and would answer ` +
        `"Can't forget my master!". Point them at another master first (topology.replicate(replicaId, masterId)), or use removeNode, which does it for you.`,
      { details: { nodeId, address, replicaIds: replicas.map((r) => r.id) } },
    );
    this.nodeId = nodeId;
    this.replicaIds = replicas.map((r) => r.id);
  }
}

/** addNode of a node that is already a member of this cluster. */
export class NodeAlreadyMemberError extends ClusterOpsError {
  readonly nodeId: string;

  constructor(nodeId: string, address: string, role: string) {
    super(
      'ERR_NODE_ALREADY_MEMBER',
      `Node ${address} (${nodeId}) is already a ${role} of this cluster. Use replicate() to change a replica's master, or removeNode() first to add it afresh.`,
      { details: { nodeId, address, role } },
    );
    this.nodeId = nodeId;
  }
}

/** The node refused our connection because of protected mode (-DENIED). */
export class ProtectedModeError extends ClusterOpsError {
  readonly address: string;

  constructor(address: string) {
    super(
      'ERR_PROTECTED_MODE',
      `Node ${address} refused the connection: it runs in protected mode (since Redis 3.2 it only accepts 127.0.0.1 when no password is set). ` +
        "Set 'protected-mode no' (and bind the address the cluster uses) or set a password (requirepass and masterauth), then restart it.",
      { details: { address } },
    );
    this.address = address;
  }
}

/** forgetEverywhere could not make every node forget the id within its time limit. */
export class ForgetIncompleteError extends ClusterOpsError {
  readonly nodeId: string;
  readonly stillListedBy: readonly string[];

  constructor(nodeId: string, timeoutMs: number, stillListedBy: readonly string[]) {
    super(
      'ERR_FORGET_INCOMPLETE',
      `Node ${nodeId} is still listed by ${stillListedBy.join(', ')} after ${timeoutMs} ms of CLUSTER FORGET. ` +
        'Every node must forget it within the 60 s ban window or it comes back in handshake: run forgetEverywhere again.',
      { details: { nodeId, timeoutMs, stillListedBy } },
    );
    this.nodeId = nodeId;
    this.stillListedBy = stillListedBy;
  }
}
