import { defineConfig } from 'tsup';

// ESM keeps one output file per source file (every file an entry, shared code split into chunks), so that
// with `sideEffects: false` an application bundler drops the modules it does not reach: `import { jumpHash }`
// then ships no zod. Code from packages that are not dependencies is still bundled in. CommonJS stays one
// file: bundlers tree-shake ESM, and Node's `require` loads the whole package either way.
export default defineConfig([
  {
    entry: ['src/**/*.ts', '!src/**/*.test.ts'],
    format: ['esm'],
    splitting: true,
    dts: { entry: { index: 'src/index.ts' } },
    sourcemap: true,
    clean: true,
    target: 'node20',
  },
  {
    entry: ['src/index.ts'],
    format: ['cjs'],
    dts: true,
    sourcemap: true,
    clean: false,
    target: 'node20',
  },
]);
