import { defineConfig } from 'tsup';

// One build for every published library (each library's tsup.config.ts calls this).
// ESM keeps one output file per source file (every file an entry, shared code split into chunks), so that
// with `sideEffects: false` an application bundler drops the modules it does not reach: `import { jumpHash }`
// then ships no zod. Code from packages that are not dependencies is still bundled in. CommonJS stays one
// file: bundlers tree-shake ESM, and Node's `require` loads the whole package either way.
// @infermesh/foundation is private: its code is bundled into each package and its types inlined in the d.ts
// (`resolve`, with a path to its source since it ships no .d.ts), so a published package depends on
// nothing of ours that npm has never seen.
const FOUNDATION = ['@infermesh/foundation'];
const INLINE_FOUNDATION_TYPES = {
  resolve: FOUNDATION,
  compilerOptions: { paths: { '@infermesh/foundation': ['../foundation/src/index.ts'] } },
};

export function libraryBuild() {
  return defineConfig([
    {
      entry: ['src/**/*.ts', '!src/**/*.test.ts'],
      format: ['esm'],
      splitting: true,
      dts: { entry: { index: 'src/index.ts' }, ...INLINE_FOUNDATION_TYPES },
      noExternal: FOUNDATION,
      sourcemap: true,
      // Both builds run at once: the ESM build cleans only its own outputs, never the CJS build's index.cjs.
      clean: ['**/*.js', '**/*.js.map', '**/*.d.ts'],
      target: 'node20',
    },
    {
      entry: ['src/index.ts'],
      format: ['cjs'],
      // `import.meta.url` becomes this file's URL (@infermesh/host finds its worker thread's entry by it).
      shims: true,
      dts: INLINE_FOUNDATION_TYPES,
      noExternal: FOUNDATION,
      sourcemap: true,
      clean: false,
      target: 'node20',
    },
  ]);
}

/**
 * One build for every program (the apps and the launcher): `src/main.ts` to `dist/main.js`, ESM, with a
 * shebang so that a package's bin runs it. dist/main.js sits as deep as src/main.ts, so paths computed
 * from import.meta.url are the same built or from source.
 */
export function programBuild() {
  return defineConfig({
    entry: ['src/main.ts'],
    format: ['esm'],
    sourcemap: true,
    clean: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  });
}
