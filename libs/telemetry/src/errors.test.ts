import { expectCodesDocumented } from '@infermesh/foundation/testing';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';
import { TELEMETRY_ERROR_CODES, TelemetryError } from './errors.js';

describe('errors', () => {
  it('documents every error code in the README', () => {
    expectCodesDocumented(new URL('../README.md', import.meta.url), TELEMETRY_ERROR_CODES);
  });

  it('has one exported subclass per code, each preserving its cause', () => {
    const classes = Object.values(api).filter((v: unknown) => typeof v === 'function' && v.prototype instanceof TelemetryError);
    const cause = new Error('root');
    const samples: TelemetryError[] = [
      new api.ExportFailedError('http://x', 'HTTP 500', { cause }), new api.InvalidTelemetryConfigError('OTEL_TRACES_SAMPLER', 'x', 'a sampler', { cause }),
      new api.InvalidTraceIdError('x', { cause }),
    ];
    expect(classes).toHaveLength(TELEMETRY_ERROR_CODES.length);
    expect(samples.map((e) => e.code).sort()).toEqual([...TELEMETRY_ERROR_CODES].sort());
    for (const e of samples) {
      expect(e).toBeInstanceOf(Error);
      expect(e.cause).toBe(cause);
      expect(e.name).toBe(e.constructor.name);
    }
  });
});
