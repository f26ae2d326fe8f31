import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  // Maps without embedded sources: stack traces still point at src/ file and line, and the
  // tarball does not carry a second copy of the code.
  sourcemap: true,
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
  clean: true,
  target: 'node20',
  splitting: false,
  // p-retry is ESM-only: bundled, so the CommonJS build works on every Node 20 (require() of an
  // ES module only arrived in 20.19) and consumers install nothing extra.
  noExternal: ['p-retry', 'is-network-error'],
  treeshake: true,
});
