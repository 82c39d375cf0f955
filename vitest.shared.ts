import { defaultServerConditions } from 'vite';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

type TestOptions = NonNullable<ViteUserConfig['test']>;

/**
 * One vitest config for every project: sibling libraries resolve to their TypeScript source
 * through the `@infermesh/source` export condition, so `nx test <lib>` never waits for a build.
 */
export function projectConfig(overrides: TestOptions = {}): ViteUserConfig {
  const conditions = ['@infermesh/source', ...defaultServerConditions];
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@infermesh/source'] } },
    test: {
      include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
      environment: 'node',
      testTimeout: 20_000,
      // Scaffolded libraries (src/index.ts = `export {};`) have no test file yet and vitest exits 1 on
      // "No test files found", failing `npm test` for the whole workspace. Remove once every project has tests.
      passWithNoTests: true,
      ...overrides,
    },
  });
}
