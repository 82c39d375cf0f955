import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_ERRORS, ApiError, apiCodeOfWorkerCode, errorBody, WORKER_CHANNEL_ERRORS, WORKER_ERRORS } from './index.js';

describe('errors', () => {
  it('documents every API code with its HTTP and gRPC status, and every worker code, in the README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const [code, s] of Object.entries(API_ERRORS)) expect(readme).toMatch(new RegExp(`\\| \`${code}\` \\| ${s.http} \\| \`${s.grpc}\` \\|`));
    for (const code of Object.keys(WORKER_ERRORS)) expect(readme).toContain(`\`${code}\``);
    for (const code of Object.keys(WORKER_CHANNEL_ERRORS)) expect(readme).toContain(`| \`${code}\` |`);
  });

  it('sets Retry-After exactly for the codes whose spec says so', () => {
    expect(new ApiError('IM_OVERLOADED', 'full').retryAfterSeconds).toBe(1);
    expect(new ApiError('IM_NO_WORKER', 'none', { retryAfterSeconds: 5 }).retryAfterSeconds).toBe(5);
    expect(new ApiError('IM_BAD_REQUEST', 'bad', { retryAfterSeconds: 5 }).retryAfterSeconds).toBeUndefined();
    for (const [code, s] of Object.entries(API_ERRORS)) {
      expect(new ApiError(code as keyof typeof API_ERRORS, 'x').retryAfterSeconds !== undefined).toBe(s.retryAfter);
      if (s.retryAfter) expect(s.retryable).toBe(true);
    }
  });

  it('maps worker codes to client codes, unknown ones to a worker failure', () => {
    expect(apiCodeOfWorkerCode('IM_WORKER_BAD_INPUT')).toBe('IM_INVALID_INPUT');
    expect(apiCodeOfWorkerCode('IM_INVALID_INPUT')).toBe('IM_INVALID_INPUT');
    expect(apiCodeOfWorkerCode('IM_WORKER_RUNTIME')).toBe('IM_WORKER_FAILED');
    expect(apiCodeOfWorkerCode('IM_SOMETHING_NEW')).toBe('IM_WORKER_FAILED');
    expect(apiCodeOfWorkerCode('toString')).toBe('IM_WORKER_FAILED');
    // A worker cannot make the coordinator answer a 5xx of its choice (found by the fuzz suite: IM_INTERNAL came through).
    for (const code of ['IM_INTERNAL', 'IM_TIMEOUT', 'IM_NO_WORKER', 'IM_SHUTTING_DOWN']) expect(apiCodeOfWorkerCode(code)).toBe('IM_WORKER_FAILED');
  });

  it('captures a stack for a 5xx only, and leaves the process-wide stack depth as it found it', () => {
    const depth = Error.stackTraceLimit;
    const refusal = new ApiError('IM_INVALID_INPUT', 'bad shape');
    expect(refusal.stack?.split('\n').filter((line) => line.trimStart().startsWith('at '))).toEqual([]);
    expect(refusal.message).toBe('bad shape');
    expect(new ApiError('IM_INTERNAL', 'bug').stack).toMatch(/\n\s+at .*errors\.test\.ts/);
    expect(Error.stackTraceLimit).toBe(depth);
    expect(new Error('plain').stack).toMatch(/\n\s+at /);
  });

  it('shapes one body for every surface, keeping the cause off it', () => {
    const e = new ApiError('IM_TIMEOUT', 'too slow', { cause: new Error('secret detail') });
    expect(errorBody(e)).toEqual({ error: 'too slow', code: 'IM_TIMEOUT' });
    expect(e.spec).toEqual({ http: 504, grpc: 'DEADLINE_EXCEEDED', retryable: true, retryAfter: false });
  });
});
