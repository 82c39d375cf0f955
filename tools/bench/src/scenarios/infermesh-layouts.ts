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
  readonly coordinatorArgs: readonly string[];
}

export const INFERMESH_LAYOUTS: readonly InfermeshLayout[] = [
  // As `npm start` runs it (`--layout embedded`, the default): 2 workers on threads of the coordinator.
  { name: 'embedded: coordinator with 2 worker threads', workers: 0, embeddedWorkers: 2, coordinatorArgs: [] },
  // `npm start -- --layout processes`, as across hosts: 2 worker processes dialling the coordinator.
  { name: 'processes: coordinator + 2 worker processes', workers: 2, embeddedWorkers: 0, coordinatorArgs: [] },
];
