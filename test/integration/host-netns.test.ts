import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const isRoot = process.getuid?.() === 0;
const hasIp = spawnSync('ip', ['-V']).status === 0;
const name = `rco-${process.pid}`;
const canNetns = isRoot && hasIp && spawnSync('ip', ['netns', 'add', name]).status === 0;

// Needs root and iproute2 (`ip netns`); skipped elsewhere.
describe('HostTuner applies somaxconn for real inside a network namespace', () => {
  it.skipIf(!canNetns)('sets net.core.somaxconn in the namespace only, then the namespace is removed', () => {
    const hostBefore = readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim();
    try {
      const inside = (): string => execFileSync('ip', ['netns', 'exec', name, 'cat', '/proc/sys/net/core/somaxconn']).toString().trim();
      if (inside() === '32767') execFileSync('ip', ['netns', 'exec', name, 'sysctl', '-qw', 'net.core.somaxconn=4096']);
      expect(inside()).not.toBe('32767');
      const output = execFileSync('ip', ['netns', 'exec', name, process.execPath, '--import', 'tsx', 'test/fixtures/tune-somaxconn.ts']).toString();
      const result = JSON.parse(output.trim().split('\n').pop() as string) as { changed: string[]; ok: boolean; current: string };
      expect(result).toEqual({ changed: ['/proc/sys/net/core/somaxconn'], ok: true, current: '32767' });
      expect(inside()).toBe('32767');
      expect(readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim()).toBe(hostBefore);
    } finally {
      spawnSync('ip', ['netns', 'del', name]);
    }
    expect(spawnSync('ip', ['netns', 'list']).stdout.toString()).not.toContain(name);
  });
});
