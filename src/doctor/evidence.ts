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
  /** Lines of the node's log file, if one was given. */
  logLines: string[];
}

export interface HostEvidence {
  somaxconn?: number;
  thp?: string;
  overcommit?: number;
}
