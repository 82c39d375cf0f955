import {
  modelVersionKey, ModelSpecSchema, specFits, STAGES, type ModelSpec, type ModelSpecInput, type ModelStages, type TensorSpec,
} from '@infermesh/contracts';
import { ConflictError, InvalidSpecError, ModelNotFoundError, StageMismatchError, VersionNotFoundError } from './errors.js';
import { toRegistryIssues } from './zod-issues.js';

export interface RegistryChange {
  type: 'added' | 'removed';
  spec: ModelSpec;
}
export type RegistryChangeListener = (change: RegistryChange) => void;

const byVersion = (a: string, b: string): number => Number(a) - Number(b);

/**
 * The models a process knows, by name and version. Specs are validated once, on `register`, and
 * frozen: what `get` returns can be shared without copying.
 */
export class ModelRegistry {
  readonly #models = new Map<string, Map<string, ModelSpec>>();
  readonly #listeners = new Set<RegistryChangeListener>();
  /** The stages workers reported, by `name:version`. */
  readonly #stages = new Map<string, ModelStages>();

  /**
   * Validates and stores a spec. Registering the same name and version again with identical content
   * is a no-op returning the stored spec; with different content it throws a `ConflictError`.
   */
  register(input: ModelSpecInput): ModelSpec {
    const parsed = ModelSpecSchema.safeParse(input);
    if (!parsed.success) throw new InvalidSpecError(toRegistryIssues(parsed.error), { cause: parsed.error });
    if ((parsed.data.platform === 'pipeline') !== (parsed.data.pipeline.length > 0)) {
      throw new InvalidSpecError([{ path: ['pipeline'], message: 'a pipeline model (platform: pipeline) has stages, and only it' }]);
    }
    const spec = deepFreeze(parsed.data);
    let versions = this.#models.get(spec.name);
    const existing = versions?.get(spec.version);
    if (existing) {
      if (deepEqual(existing, spec)) return existing;
      throw new ConflictError(spec.name, spec.version);
    }
    if (!versions) {
      versions = new Map();
      this.#models.set(spec.name, versions);
    }
    versions.set(spec.version, spec);
    this.#emit({ type: 'added', spec });
    return spec;
  }

  /** Removes one version; false if it was not registered. */
  unregister(name: string, version: string): boolean {
    const versions = this.#models.get(name);
    const spec = versions?.get(version);
    if (!versions || !spec) return false;
    versions.delete(version);
    this.#stages.delete(modelVersionKey({ name, version }));
    if (versions.size === 0) this.#models.delete(name);
    this.#emit({ type: 'removed', spec });
    return true;
  }

  /**
   * Records the stages a worker runs for a registered model version (its pre-processing, session and
   * post-processing signatures), checked first: each must equal the one registered before, so every
   * worker hands on the same tensors, and together they must chain: pre-processing hands on every
   * session input, and the session answers every tensor post-processing reads. On a misfit it
   * throws a `StageMismatchError` and records nothing. Returns the stages known now.
   */
  registerStages(name: string, version: string, stages: ModelStages): ModelStages {
    this.get(name, version);
    const k = modelVersionKey({ name, version });
    const known = this.#stages.get(k) ?? {};
    for (const stage of STAGES) {
      const have = known[stage];
      const given = stages[stage];
      if (have && given && !deepEqual(have, given)) {
        throw new StageMismatchError(name, version, stage, `differs from the one registered (${signature(given)} vs ${signature(have)})`);
      }
    }
    const merged: ModelStages = deepFreeze({ ...known, ...stages });
    const chain = (from: 'preprocess' | 'model', to: 'model' | 'postprocess', what: string): void => {
      const out = merged[from]?.outputs;
      const into = merged[to]?.inputs;
      if (!out || !into) return;
      for (const want of into) {
        const have = out.find((o) => o.name === want.name);
        if (have && specFits(have, want)) continue;
        throw new StageMismatchError(name, version, to, `${what} ${spec(want)} ${have ? `does not fit ${spec(have)}` : `is not among ${from}'s outputs`} (${from} hands on ${out.map(spec).join(', ') || 'nothing'})`);
      }
    };
    chain('preprocess', 'model', 'session input');
    chain('model', 'postprocess', 'post-processing input');
    this.#stages.set(k, merged);
    return merged;
  }

  /** The stages registered for a model version; empty when no worker reported any. */
  stages(name: string, version: string): ModelStages {
    return this.#stages.get(modelVersionKey({ name, version })) ?? {};
  }

  /** One version of a model; without `version`, the highest-numbered one. */
  get(name: string, version?: string): ModelSpec {
    const versions = this.#models.get(name);
    if (!versions) throw new ModelNotFoundError(name);
    if (version === undefined) {
      const latest = [...versions.keys()].sort(byVersion).at(-1);
      // A name stays in the map only while it has a version, so `latest` is defined.
      return versions.get(latest as string) as ModelSpec;
    }
    const spec = versions.get(version);
    if (!spec) throw new VersionNotFoundError(name, version, [...versions.keys()].sort(byVersion));
    return spec;
  }

  /** Whether the model (any version, or the given one) is registered. */
  has(name: string, version?: string): boolean {
    const versions = this.#models.get(name);
    return versions !== undefined && (version === undefined || versions.has(version));
  }

  /** The registered versions of a model, ascending numerically; empty for an unknown model. */
  versions(name: string): string[] {
    return [...(this.#models.get(name)?.keys() ?? [])].sort(byVersion);
  }

  /** Every registered spec, by name then version. */
  list(): ModelSpec[] {
    return [...this.#models.keys()]
      .sort()
      .flatMap((name) => this.versions(name).map((v) => this.#models.get(name)?.get(v) as ModelSpec));
  }

  /** Calls `listener` after every add and remove. Returns a function that unsubscribes it. */
  on(event: 'change', listener: RegistryChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.off(event, listener);
  }

  off(_event: 'change', listener: RegistryChangeListener): void {
    this.#listeners.delete(listener);
  }

  #emit(change: RegistryChange): void {
    for (const listener of [...this.#listeners]) listener(change);
  }
}

const spec = (s: TensorSpec): string => `'${s.name}' ${s.datatype} [${s.shape.join(', ')}]`;
const signature = (s: { inputs: readonly TensorSpec[]; outputs: readonly TensorSpec[] }): string =>
  `${s.inputs.map(spec).join(', ')} → ${s.outputs.map(spec).join(', ')}`;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Structural equality for parsed JSON-like values; object key order does not matter. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra);
  if (ka.length !== Object.keys(rb).length) return false;
  return ka.every((k) => Object.hasOwn(rb, k) && deepEqual(ra[k], rb[k]));
}
