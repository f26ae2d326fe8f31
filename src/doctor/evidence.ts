/** What diagnose() reads about one node. Plain data, so the rules are pure and testable. */
export interface NodeEvidence {
  nodeId?: string;
  address: string;
  role?: 'master' | 'replica';
  reachable: boolean;
  /** INFO (all sections) fields. */
  info: Record<string, string>;
  /** CONFIG GET values the rules need. */
  config: Record<string, string>;
  /** CLUSTER INFO fields, when the node answered. */
  clusterInfo?: Record<string, string>;
  /** Lines of the node's log file, if one was given. */
  logLines: string[];
  /** Whether this node runs on the machine whose /proc and /sys were read (loopback or a local address, or a hostRoot given for it). */
  hostRead?: boolean;
}

export interface HostEvidence {
  somaxconn?: number;
  thp?: string;
  overcommit?: number;
  /** Where /proc and /sys were read: "this machine (the one running the SDK)" or the hostRoot given. */
  source?: string;
}
