import type { ModelSpec } from '@infermesh/contracts';

/** Where a model's pre- and post-processing run: on its model worker, or on processors. */
export const PLACEMENTS = ['colocated', 'disaggregated'] as const;
export type Placement = (typeof PLACEMENTS)[number];

export interface PlacementPolicy {
  /** Every model's placement unless `models` names one. */
  default: Placement;
  /** By model name: `{ sentiment: 'disaggregated' }`. */
  models: Record<string, Placement>;
}

/** A model, or one version of it (no version: its latest). */
export interface ModelRef {
  name: string;
  version?: string | undefined;
}

/** Where a model's requests go when no healthy worker serves it. */
export interface Fallback {
  from: ModelRef;
  to: ModelRef;
}

/** A fallback's `from` matches a model version: exactly (`exact`, a version named) or by name alone (no version named). */
export const refMatches = (ref: ModelRef, spec: ModelSpec, exact: boolean): boolean =>
  ref.name === spec.name && (exact ? ref.version === spec.version : ref.version === undefined);

/** Where a model version's steps run under `policy`. A model without steps has nothing to place: it stays co-located. */
export function placementOf(policy: PlacementPolicy, spec: ModelSpec): Placement {
  const asked = policy.models[spec.name] ?? policy.default;
  return asked === 'disaggregated' && spec.preprocess.length + spec.postprocess.length > 0 ? 'disaggregated' : 'colocated';
}
