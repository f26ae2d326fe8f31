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
  treeshake: true,
});
