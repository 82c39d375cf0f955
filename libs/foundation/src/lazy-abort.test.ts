import { describe, expect, it } from 'vitest';
import { LazyAbort, type AbortLike } from './lazy-abort.js';

describe('LazyAbort', () => {
  it('calls each listener once, in order, and not one removed or added after the abort', () => {
    const abort = new LazyAbort();
    const calls: string[] = [];
    const a = () => calls.push('a');
    const b = () => calls.push('b');
    const c = () => calls.push('c');
    abort.addEventListener('abort', a);
    abort.addEventListener('abort', a); // the same listener once, as on an EventTarget
    abort.addEventListener('abort', b);
    abort.addEventListener('abort', c);
    abort.removeEventListener('abort', b);
    expect(abort.aborted).toBe(false);
    abort.abort('why');
    abort.abort('again');
    abort.addEventListener('abort', () => calls.push('late'));
    expect(calls).toEqual(['a', 'c']);
    expect(abort.aborted).toBe(true);
    expect(abort.reason).toBe('why');
  });

  it('makes a real AbortSignal on first read, in the same state before and after the abort', () => {
    const before = new LazyAbort();
    const signal = before.signal;
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(before.signal).toBe(signal);
    const seen: unknown[] = [];
    signal.addEventListener('abort', () => seen.push(signal.reason));
    before.abort('first');
    expect(seen).toEqual(['first']);

    const after = new LazyAbort();
    after.abort();
    expect(after.signal.aborted).toBe(true);
    expect(after.signal.reason).toBe(after.reason);
    expect(after.reason).toMatchObject({ name: 'AbortError' });
  });

  it('runs every listener when one throws, and rethrows that on a later tick', async () => {
    const abort = new LazyAbort();
    const calls: string[] = [];
    abort.addEventListener('abort', () => {
      throw new Error('listener broke');
    });
    abort.addEventListener('abort', () => calls.push('second'));
    const uncaught = new Promise<unknown>((resolve) => {
      const listeners = process.listeners('uncaughtException');
      process.removeAllListeners('uncaughtException');
      process.once('uncaughtException', (error) => {
        for (const l of listeners) process.on('uncaughtException', l);
        resolve(error);
      });
    });
    abort.abort();
    expect(calls).toEqual(['second']);
    expect(await uncaught).toMatchObject({ message: 'listener broke' });
  });

  it('is read like an AbortSignal, which is an AbortLike too', () => {
    const read = (s: AbortLike): [boolean, unknown] => [s.aborted, s.reason];
    expect(read(AbortSignal.abort('x'))).toEqual([true, 'x']);
    const lazy = new LazyAbort();
    lazy.abort('y');
    expect(read(lazy)).toEqual([true, 'y']);
  });
});
