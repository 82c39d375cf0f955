/**
 * How the plain-server scenario runs infermesh: one line per layout, each a cluster of its own on both
 * MLPs, beside the plain server. A layout's coordinator flags come from this table only (the bench adds
 * `--cache off` and `--coordinator-args` to every coordinator).
 */
export interface InfermeshLayout {
  /** Shown in the series and the ratios: `infermesh, <name>`. */
  readonly name: string;
  /** Remote workers dialling the coordinator. */
  readonly workers: number;
  /** Workers on threads of the coordinator (`--embedded-workers`), loading the scenario's repository. */
  readonly embeddedWorkers: number;
  /** Models served inline on the coordinator's HTTP thread (`--embedded-inline-model`). */
  readonly inlineModels: readonly string[];
  /** Processes serving the client API (`--processes`), each with its own inline models and threads. */
  readonly processes: number;
  readonly coordinatorArgs: readonly string[];
}

export const INFERMESH_LAYOUTS: readonly InfermeshLayout[] = [
  // As `npm start` runs the demo's small models (`--layout embedded`, examples/demo.yaml's inlineModels):
  // the model inline on the coordinator's HTTP thread, no hand-over between threads.
  { name: 'inline: model on the HTTP thread', workers: 0, embeddedWorkers: 0, inlineModels: ['mlp'], processes: 1, coordinatorArgs: [] },
  // The same in 2 processes sharing the port (`--processes 2`): one event loop per core.
  { name: 'inline ×2: 2 processes, model on each HTTP thread', workers: 0, embeddedWorkers: 0, inlineModels: ['mlp'], processes: 2, coordinatorArgs: [] },
  // As `npm start` runs every other model: 2 workers on threads of the coordinator.
  { name: 'threads: coordinator with 2 worker threads', workers: 0, embeddedWorkers: 2, inlineModels: [], processes: 1, coordinatorArgs: [] },
  // `npm start -- --layout processes`, as across hosts: 2 worker processes dialling the coordinator.
  { name: 'processes: coordinator + 2 worker processes', workers: 2, embeddedWorkers: 0, inlineModels: [], processes: 1, coordinatorArgs: [] },
];
