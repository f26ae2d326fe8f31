// The public face of redis-cluster-ops: re-exports only.
export * from './errors';

export { SlotSet, assertSlot } from './model/slot-set';
export type { SlotRange, SlotSetInput } from './model/slot-set';
export { keySlot, SLOT_COUNT } from './model/key-slot';
export { printableKey, type KeyName } from './model/key-name';
export { parseAddress, formatAddress } from './model/address';
export type { NodeAddress } from './model/address';
export { parseClusterNodes } from './model/cluster-nodes-parser';
export { parseInfo } from './model/info-parser';
export { ClusterState } from './model/cluster-state';
export type { ClusterNode } from './model/cluster-state';
export type { NodeInfo, NodeRole, NodeServer, OpenSlotMark } from './model/node-info';
export type { NodeView, UnreachableNode } from './model/node-view';
export { findDisagreements } from './model/agreement';
export { compareVersions } from './util/version';

export { planCreate } from './plan/create-plan';
export type { CreatePlan, CreatePlanOptions, PlannedMaster, PlannedReplica, AntiAffinityViolation } from './plan/create-plan';
// Plans read back from JSON: checked field by field, tied to their id, refused on another cluster.
export { parseMigrationPlan } from './plan/parse-migration-plan';
export { parseCreatePlan } from './plan/parse-create-plan';
export { parseRehomePlan } from './plan/parse-rehome-plan';
export { parseSpreadMastersPlan } from './plan/parse-spread-masters-plan';
export { clusterFingerprint } from './plan/cluster-fingerprint';
export { InvalidPlanError, PlanClusterMismatchError } from './plan/plan-errors';
export { planFix } from './plan/fix-plan';
export type { FixPlan, FixStep, FixSlotDecision, FixCause, FixEvidence, UnresolvedSlots } from './plan/fix-plan';

export { NodePool } from './net/node-pool';
export { NodeClient } from './net/node-client';
export type { ConnectionOptions, NatMap } from './net/connection-options';
export { parseSeed } from './net/seed';
export type { Seed, SeedConnection } from './net/seed';
export { capabilitiesOf, parseServerInfo, parseServerVersionLine, describeServer } from './net/capabilities';
export type { ServerCapabilities, ServerInfo, ServerKind } from './net/capabilities';
export { UnsupportedByServerError, TlsRequiredError } from './net/errors';
export { probeTls } from './net/connect-diagnosis';

export { ClusterTopology } from './topology/cluster-topology';
export type { CreateOptions } from './topology/cluster-topology';
export type { ClusterTopologyOptions } from './topology/topology-options';
export type { ClusterTopologyEvents, CreateStep, CreateStepEvent, ConvergedEvent } from './topology/topology-events';
export type { CheckReport, ClusterProblem, ProblemCode } from './topology/check-rules';
export type { CreateResult } from './topology/create-cluster';
export type { WaitForConvergenceOptions, ConvergenceResult } from './topology/convergence';

export { LocalCluster } from './local/local-cluster';
export type { LocalNode, StartNodeOptions } from './local/local-cluster';
export type { LocalClusterOptions } from './local/local-cluster-options';
export type { LocalTlsFiles } from './local/tls-certificates';
export { inspectServerBinary } from './local/server-binary';
export type { ServerBinary } from './local/server-binary';

// Domains: each barrel lists its own public names.
export * from './topology/repair/index';
export * from './topology/membership/index';
export * from './migrate/index';
export * from './failover/index';
export * from './import/index';
export * from './doctor/index';
export * from './config/index';
export * from './host/index';
export * from './lock/index';

// Types that appear in public signatures (options, resolved options, hooks, context): exported so
// callers can name them. npm run test:consumers fails when a declaration is public but unnamed.
export type { AgreementOptions } from './model/agreement';
export type { ResolvedConnectionOptions } from './net/connection-options';
export type { CommandArg, CallOptions, SetSlotState, MigrateOptions } from './net/node-client';
export { CommandHooks } from './net/command-hooks';
export type { CommandCheck, CommandHook } from './net/command-hooks';
export type { ResolvedOperationLockOptions } from './lock/lock-options';
export type { NodeUnreachableEvent } from './topology/topology-events';
export type { ResolvedClusterTopologyOptions } from './topology/topology-options';
export type { TopologyContext } from './topology/topology-context';
export type { ExecuteCreateOptions } from './topology/create-cluster';
export type { Durability } from './slot-move/key-move-options';
export type { AddNodeCommonOptions } from './topology/membership/membership-options';
export type { ResolvedLocalClusterOptions, ConfigFilesClusterOptions } from './local/local-cluster-options';
export type { ResolvedSlotMigratorOptions } from './migrate/slot-migrator-options';
export type { ResolvedFailoverControllerOptions } from './failover/failover-options';
export type { LimitsFile } from './host/limits-order';
export type { RoutedReply } from './lock/slot-router';
export type { KeyLeaseStoreOptions } from './lock/key-lease-store';

// Logging: a pino-style logger option on ClusterTopology receives every event, redacted; the
// event names of each class at runtime (and the level each is logged at).
export type { Logger, LogLevel } from './util/event-logger';
export { redactForLog } from './util/event-logger';
export { CLUSTER_TOPOLOGY_EVENT_LEVELS, CLUSTER_TOPOLOGY_EVENT_NAMES } from './topology/topology-event-names';
export { OPERATION_LOCK_EVENT_LEVELS, OPERATION_LOCK_EVENT_NAMES } from './lock/lock-event-names';
export { SLOT_MIGRATOR_EVENT_LEVELS, SLOT_MIGRATOR_EVENT_NAMES } from './migrate/slot-migrator-event-names';
export { FAILOVER_CONTROLLER_EVENT_LEVELS, FAILOVER_CONTROLLER_EVENT_NAMES } from './failover/failover-event-names';
export { IMPORTER_EVENT_LEVELS, IMPORTER_EVENT_NAMES } from './import/import-event-names';
export type { CreateDoneEvent, FixDoneEvent } from './topology/topology-events';
export type { MigrationStartEvent } from './migrate/slot-migrator-events';
export type { ImportStartEvent, ImportEndEvent } from './import/import-events';
export type { WatchStartedEvent, WatchStoppedEvent, RehomeDoneEvent, SpreadDoneEvent } from './failover/failover-events';
export type { OperationEndEvent } from './util/operation-end';
// Every defaults object, frozen: an option left out or passed as undefined takes its value here.
export { DEFAULT_CLUSTER_TOPOLOGY_OPTIONS } from './topology/topology-options';
export { DEFAULT_CONNECTION_OPTIONS } from './net/connection-options';
export { DEFAULT_LOCAL_CLUSTER_OPTIONS } from './local/local-cluster-options';
export { DEFAULT_REPLICA_READ_CLUSTER_OPTIONS } from './failover/replica-reads';
export { DEFAULT_FIX_OPTIONS } from './topology/repair/fix-options';
export { VoteWindow } from './model/vote-window';
