import { AbortedError } from './errors.js';

/**
 * Settles with `work`, or rejects with `AbortedError` as soon as `signal` fires. The work itself
 * cannot be interrupted (a native session run, a module's function); its late result is dropped.
 */
export function abortable<T>(model: string, work: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work();
  if (signal.aborted) return Promise.reject(new AbortedError(model, { cause: signal.reason }));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortedError(model, { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    work().then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
