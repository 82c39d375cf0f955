import { defineConfig } from 'tsup';

// The library (ESM and CommonJS, with types) and the `infermesh-models` bin (ESM, with a shebang).
export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    // `import.meta.url` in CommonJS too: the OCR files are found beside the installed package.
    shims: true,
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
  },
  {
    entry: ['src/main.ts'],
    format: ['esm'],
    sourcemap: true,
    clean: false,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
