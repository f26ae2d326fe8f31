import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: false,
  treeshake: true,
  // p-retry is ESM-only: bundled, so the CJS build also loads on Node 20 releases without require(esm).
  noExternal: ['p-retry', 'is-network-error'],
});
