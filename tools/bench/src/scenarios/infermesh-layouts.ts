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
  readonly coordinatorArgs: readonly string[];
}

export const INFERMESH_LAYOUTS: readonly InfermeshLayout[] = [
  // As `npm start` runs it (examples/demo.yaml restates the defaults): batching on, response cache off here.
  { name: 'npm start layout: coordinator + 2 workers', workers: 2, coordinatorArgs: [] },
];
