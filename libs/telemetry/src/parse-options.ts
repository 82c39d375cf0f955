import { z } from 'zod/v4';

/**
 * Parses an options object once, at construction. A value out of range throws `RangeError`; a wrong
 * type, an unknown key or a bad combination throws `TypeError`. The message names the option.
 */
export function parseOptions<S extends z.ZodType>(what: string, schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue && issue.path.length > 0 ? issue.path.join('.') : '(options)';
  const message = `Invalid ${what} option "${path}": ${issue?.message ?? 'invalid'}`;
  const range = issue?.code === 'too_big' || issue?.code === 'too_small' || (issue?.code === 'custom' && issue.params?.['range'] === true);
  throw range ? new RangeError(message) : new TypeError(message);
}
