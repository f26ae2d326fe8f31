/**
 * Renders the runbook's 6-instance plan (ports 6381-6386 under /data/redis) into a temporary
 * directory, prints the files, the directories to create, the service files and the warnings;
 * then renders the same plan under a scratch base dir on free ports and boots it for real with
 * LocalCluster.fromConfigFiles; then inspects this host (read-only) with HostTuner in dry-run mode.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigRenderer, HostTuner, LocalCluster, renderServiceFiles } from '../src/index';
import { findClusterPort } from '../src/local/free-port';

const out = mkdtempSync(join(tmpdir(), 'rco-render-'));
try {
  const ports = [6381, 6382, 6383, 6384, 6385, 6386];
  const renderer = new ConfigRenderer({ baseDir: '/data/redis', redisVersion: '7.0', profile: 'high-load', maxmemory: '8gb', disableCommands: true });
  const rendered = renderer.render({ ports });
  for (const [name, text] of Object.entries({ ...rendered.files, ...renderServiceFiles({ baseDir: '/data/redis', ports }) })) {
    writeFileSync(join(out, name), text);
  }
  console.log(`Rendered ${Object.keys(rendered.files).length} config files into ${out}:`);
  console.log(rendered.files['redis-6381.conf']);
  console.log(rendered.files['redis.conf']?.split('\n').slice(0, 12).join('\n'), '\n  ...');
  console.log('Directories to create:', rendered.dirs.join(' '));
  console.log('Warnings:', rendered.warnings.length === 0 ? 'none' : rendered.warnings.join('; '));

  // The same plan, for real: rendered under a scratch base dir on free loopback ports, then booted.
  const trialPorts: number[] = [];
  for (let i = 0; i < 6; i++) trialPorts.push(await findClusterPort('127.0.0.1', { exclude: new Set(trialPorts) }));
  const trial = new ConfigRenderer({ baseDir: join(out, 'trial'), profile: 'high-load', maxmemory: '64mb', pidDir: 'log', overrides: { bind: '127.0.0.1' } }).render({ ports: trialPorts });
  for (const dir of trial.dirs) mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(trial.files)) writeFileSync(join(out, 'trial', 'conf', name), text);
  const local = await LocalCluster.fromConfigFiles(trialPorts.map((port) => join(out, 'trial', 'conf', `redis-${port}.conf`)), { replicasPerMaster: 1 });
  const topology = local.topology();
  try {
    const report = await topology.check();
    const state = await topology.refresh();
    console.log(`\nBooted the rendered files: ${state.masters.length} masters, ${state.replicas.length} replicas, check ${report.ok ? 'OK' : report.problems.map((p) => p.code).join(', ')}`);
  } finally {
    await topology.close();
    await local.stop();
  }

  const tuner = new HostTuner({ dryRun: true });
  console.log('\nThis host (section 4):');
  for (const item of await tuner.inspect()) console.log(`  ${item.ok ? 'ok  ' : 'TUNE'} ${item.name}: now ${item.current ?? '?'}, wanted ${item.wanted}`);
  const preview = await tuner.apply();
  console.log(preview.preview.length === 0 ? '  nothing to change' : `  apply() would run:\n    ${preview.preview.join('\n    ')}`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
