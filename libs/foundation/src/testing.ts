// Test-only helpers: they import vitest, so no library's src (and no bundle) imports this entry.
export { expectCodesDocumented } from './expect-codes-documented.js';
export { makeTestPki } from './test-certificates.js';
export type { TestPki, TestCertificate } from './test-certificates.js';
export { makeTestFiles } from './test-files.js';
export type { TestFiles } from './test-files.js';
export { processAlive } from './process-alive.js';
