import { readFileSync } from 'node:fs';
import type { NodeEvidence } from '../../../src/index';

export const VERSIONS = ['redis-5.0.14', 'redis-7.0.15', 'valkey-8.0.1'] as const;

/** A version's real log lines (captured), then the ones composed from its source. */
export function fixture(version: (typeof VERSIONS)[number]): string[] {
  const read = (name: string): string[] => readFileSync(`test/fixtures/doctor/${name}`, 'utf8').split('\n').filter((line) => line.trim() !== '');
  return [...read(`${version}.log`), ...read(`${version}.from-source.log`)];
}

/** The same real line with another timestamp ("25 Nov 2026 10:00:00.000"), for window tests. */
export function at(line: string, stamp: string): string {
  return line.replace(/^(\d+:[MSCX]) \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}\.\d{3}/, `$1 ${stamp}`);
}

export const node = (patch: Partial<NodeEvidence> = {}): NodeEvidence => ({
  nodeId: 'a'.repeat(40),
  address: '10.0.0.1:6381',
  role: 'master',
  reachable: true,
  info: {},
  config: {},
  logLines: [],
  ...patch,
});
