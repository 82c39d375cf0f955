import { z } from 'zod/v4';

/** The largest delay a Node timer takes (2³¹−1 ms); a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A zod schema for a function option; `what` names it in the error message. */
export const fn = <T>(what?: string) =>
  z.custom<T>((v) => typeof v === 'function', what === undefined ? 'expected a function' : `expected a function (${what})`);

/** A zod schema for PEM text or bytes (what `fs.readFileSync` returns): libraries take certificates, their callers read the files. */
export const pem = () =>
  z.union([z.string().min(1), z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected PEM text or bytes')]);

/**
 * Parses an options object once, at construction. A value out of range (zod's `too_small` / `too_big`, or a
 * custom check raised with `params: { range: true }`) throws `RangeError`; a wrong type, an unknown key or a
 * bad combination throws `TypeError`. The message names the option: `Invalid <what> option "<path>": <issue>`,
 * with `(root)` for an issue about the object itself.
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue === undefined) throw new TypeError(`Invalid ${what} options`);
  const path = issue.path.join('.') || '(root)';
  const message = `Invalid ${what} option "${path}": ${issue.message}`;
  const isRange =
    issue.code === 'too_small' || issue.code === 'too_big' || (issue.code === 'custom' && issue.params?.['range'] === true);
  throw isRange ? new RangeError(message) : new TypeError(message);
}
