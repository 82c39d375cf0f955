/** What every infermesh error has: a stable `IM_*` code to switch on, and `cause` when it wraps another. */
export interface CodedError<C extends string = string> extends Error {
  readonly code: C;
}

/** The constructor of a library's base error class: `(code, message, { cause })`. */
export type ErrorBase<C extends string> = abstract new (code: C, message: string, options?: ErrorOptions) => CodedError<C>;

/**
 * A library's base error class, named `name`, with the library's code union. Extend it once
 * (`class BatcherError extends errorBase<BatcherErrorCode>('BatcherError') {}`) so `instanceof` names the library.
 */
export function errorBase<C extends string>(name: string) {
  return class extends Error implements CodedError<C> {
    readonly code: C;
    constructor(code: C, message: string, options?: ErrorOptions) {
      super(message, options);
      this.name = name;
      this.code = code;
    }
  };
}

/** A message, or a message with the error it wraps (for a class that takes its cause positionally). */
export type ErrorMessage = string | { readonly message: string; readonly cause: unknown };

/**
 * One error class in one line, in the manner of fastify's `createError(code, message, status)`:
 * `class QueueFullError extends createError(BatcherError, 'IM_BATCHER_QUEUE_FULL', 'QueueFullError',
 * (key: string, max: number) => \`queue "${key}" is full (${max})\`, (key, max) => ({ key, max })) {}`.
 *
 * Each class's `code` is typed as its own literal, so a check on `code` narrows.
 * The constructor takes the message function's arguments, then an optional `{ cause }`. `fields` computes the
 * extra read-only properties from the same arguments. The message function's parameters must be plain (no
 * defaults, no rest): its `length` says where the options argument starts.
 */
export function createError<
  B extends abstract new (code: never, message: string, options?: ErrorOptions) => CodedError,
  const K extends InstanceType<B>['code'],
  A extends unknown[],
  F extends object = object,
>(
  Base: B,
  code: K,
  name: string,
  message: (...args: A) => ErrorMessage,
  fields?: (...args: A) => F,
): new (...args: [...args: A, options?: ErrorOptions]) => InstanceType<B> & { readonly code: K } & Readonly<F> {
  const arity = message.length;
  const Class = class extends (Base as unknown as new (code: string, message: string, options?: ErrorOptions) => Error) {
    constructor(...all: unknown[]) {
      const args = all.slice(0, arity) as A;
      const built = message(...args);
      const options = all.length > arity ? (all[arity] as ErrorOptions | undefined) : undefined;
      if (typeof built === 'string') super(code, built, options);
      else super(code, built.message, { cause: built.cause });
      this.name = name;
      if (fields) Object.assign(this, fields(...args));
    }
  };
  return Class as unknown as new (...args: [...args: A, options?: ErrorOptions]) => InstanceType<B> & { readonly code: K } & Readonly<F>;
}
