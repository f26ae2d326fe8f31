/**
 * Import: copy every key of one local cluster into another (TTLs kept), printing progress.
 */
import { LocalCluster, importData, Importer } from '../src/index';

const source = await LocalCluster.start({ masters: 3, replicasPerMaster: 0 });
const target = await LocalCluster.start({ masters: 3, replicasPerMaster: 0 });
const sourceClient = source.client();
const topology = target.topology();
try {
  for (let i = 0; i < 10_000; i += 1000) {
    await Promise.all(Array.from({ length: 1000 }, (_, j) => sourceClient.set(`order:${i + j}`, JSON.stringify({ id: i + j }), 'EX', 86_400)));
  }
  const importer = new Importer();
  importer.on('progress', (p) => {
    if (p.scannedKeys % 3000 < 1000) console.log(`  ${p.source}: ${p.movedKeys} keys copied, ${p.keysPerSecond} keys/s`);
  });
  const result = await importer.importData({ from: source.seeds[0]!, into: topology, copy: true });
  console.log(`Copied ${result.movedKeys} keys from ${result.sources.length} source masters in ${result.elapsedMs} ms`);
  const again = await importData({ from: source.seeds[0]!, into: topology, copy: true });
  console.log(`A second run finds ${again.skippedKeys} keys already there with the same values and copies ${again.movedKeys}.`);
} finally {
  sourceClient.disconnect();
  await topology.close();
  await source.stop();
  await target.stop();
}
