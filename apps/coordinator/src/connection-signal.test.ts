import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { connectionSignal } from './connection-signal.js';

describe('connectionSignal', () => {
  it('is one signal per connection, shared by its requests, and aborts when the connection closes', async () => {
    const a = new PassThrough();
    const b = new PassThrough();
    const signal = connectionSignal(a);
    expect(connectionSignal(a)).toBe(signal);
    expect(connectionSignal(b)).not.toBe(signal);
    const heard: string[] = [];
    const answered = (): number => heard.push('answered request');
    signal.addEventListener('abort', answered);
    signal.addEventListener('abort', () => heard.push('request in flight'));
    signal.removeEventListener('abort', answered); // an answered request stops listening
    expect(signal.aborted).toBe(false);
    a.destroy();
    await new Promise((resolve) => a.once('close', resolve));
    expect(signal.aborted).toBe(true);
    expect(heard).toEqual(['request in flight']);
    expect(connectionSignal(b).aborted).toBe(false);
  });

  it('is already aborted for a connection that closed before its first request', () => {
    const gone = new PassThrough();
    gone.destroy();
    expect(connectionSignal(gone).aborted).toBe(true);
  });
});
