import { projectConfig } from '../../vitest.shared.ts';

// Each file starts its own cluster of processes: one file at a time keeps a 2-core machine honest.
export default projectConfig({ include: ['src/**/*.test.ts'], fileParallelism: false, testTimeout: 60_000, hookTimeout: 120_000 });
