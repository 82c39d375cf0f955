import { DuplicateStepError, UnknownStepError } from './errors.js';
import type { StepDefinition } from './step.js';

const NAME = /^[a-z][a-z0-9-]{0,47}$/;
const VERSION = /^\d{1,9}(?:\.\d{1,9}){0,2}$/;

function parts(version: string): number[] {
  return version.split('.').map(Number);
}

/** Orders dotted versions numerically, so 1.10.0 comes after 1.9.0. */
function compareVersions(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The steps a worker can run, by name. Several versions of one name may be held: `get('tokenize')`
 * answers the newest, `get('tokenize@1')` the newest 1.x, `get('tokenize@1.0.0')` exactly that one, so
 * a model can pin the behaviour it was trained with while newer models move on.
 */
export class StepCatalog {
  readonly #steps = new Map<string, StepDefinition[]>();

  /** Adds a step. Throws a `TypeError` for a malformed name or version, a `DuplicateStepError` for a repeat. */
  register<O>(definition: StepDefinition<O>): this {
    const { name, version } = definition;
    if (!NAME.test(name)) throw new TypeError(`step name '${name}' must match ${String(NAME)}`);
    if (!VERSION.test(version)) throw new TypeError(`step '${name}' version '${version}' must match ${String(VERSION)}`);
    const versions = this.#steps.get(name) ?? [];
    if (versions.some((d) => compareVersions(d.version, version) === 0)) {
      throw new DuplicateStepError(`${name}@${version}`);
    }
    versions.push(definition as StepDefinition);
    versions.sort((a, b) => compareVersions(b.version, a.version));
    this.#steps.set(name, versions);
    return this;
  }

  /** Whether `get(ref)` would find a step. */
  has(ref: string): boolean {
    return this.#find(ref) !== undefined;
  }

  /** The step `ref` names (`name`, `name@major`, `name@major.minor.patch`); throws `UnknownStepError`. */
  get(ref: string): StepDefinition {
    const found = this.#find(ref);
    if (found === undefined) throw new UnknownStepError(ref, this.list().map((d) => `${d.name}@${d.version}`));
    return found;
  }

  /** Every registered step, by name, newest version first. */
  list(): StepDefinition[] {
    return [...this.#steps.keys()].sort().flatMap((name) => this.#steps.get(name) ?? []);
  }

  #find(ref: string): StepDefinition | undefined {
    const at = ref.indexOf('@');
    const name = at === -1 ? ref : ref.slice(0, at);
    const versions = this.#steps.get(name);
    if (versions === undefined) return undefined;
    if (at === -1) return versions[0];
    const wanted = ref.slice(at + 1);
    if (!VERSION.test(wanted)) return undefined;
    const prefix = parts(wanted);
    return versions.find((d) => {
      const have = parts(d.version);
      return prefix.every((p, i) => (have[i] ?? 0) === p);
    });
  }
}
