import { defineConfig } from 'tsup';

// The launcher is built like the apps so that `npm start` runs JavaScript, not TypeScript through tsx.
// dist/main.js sits as deep as src/main.ts, so the paths it computes from import.meta.url are the same.
export default defineConfig({
  entry: ['src/main.ts'],
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
});
