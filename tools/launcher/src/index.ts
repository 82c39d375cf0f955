export { startCluster } from './cluster.js';
export type { Cluster, ClusterOptions } from './cluster.js';
export { spawnApp } from './child-process.js';
export type { LogLine, ManagedProcess, SpawnOptions } from './child-process.js';
export { buildDemoModels } from './build-models.js';
export { APP_ENTRY, appEntry, WORKSPACE_ROOT } from './paths.js';
export type { AppEntries, AppName } from './paths.js';
