import { defaultServerConditions } from 'vite';
import { defineConfig, type ViteUserConfig } from 'vitest/config';
import { SkipReporter } from './tools/skip-report/src/skip-report.ts';

type TestOptions = NonNullable<ViteUserConfig['test']>;

/**
 * One vitest config for every project: sibling libraries resolve to their TypeScript source
 * through the `@infermesh/source` export condition, so `nx test <lib>` never waits for a build.
 * After vitest's own summary, the skip reporter lists every skipped test with its reason; under CI
 * (`CI=true`) a skipped test fails the run.
 */
export function projectConfig(overrides: TestOptions = {}): ViteUserConfig {
  // Not vite's `module` condition: Node does not know it, and @opentelemetry/api's `module` build
  // (extensionless imports, for bundlers) fails to load when vitest hands it to Node unbundled.
  const conditions = ['@infermesh/source', ...defaultServerConditions.filter((c) => c !== 'module')];
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@infermesh/source'] } },
    test: {
      include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
      environment: 'node',
      testTimeout: 20_000,
      includeTaskLocation: true, // the skip report names the line of a declared skip
      reporters: ['default', new SkipReporter({ root: import.meta.dirname })],
      ...overrides,
    },
  });
}
