import { ApiError } from './api-error.js';

/** The HTTP header a client sets to bound one request, in milliseconds. */
export const TIMEOUT_HEADER = 'x-request-timeout-ms';
/** The Open Inference Protocol request parameter with the same meaning (the WebSocket API's only way). */
export const TIMEOUT_PARAMETER = 'timeout_ms';

function parse(value: unknown, where: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new ApiError('IM_BAD_REQUEST', `${where} must be a positive integer of milliseconds, not ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * The deadline a client asked for (header, else the `timeout_ms` parameter), capped by the
 * coordinator's own limit. Undefined when the client asked for none: the limit applies downstream.
 * When both are given the shorter wins, so neither can lengthen what the other asked.
 */
export function requestTimeoutMs(
  source: { header?: unknown; parameters?: Readonly<Record<string, unknown>> | undefined },
  limitMs: number,
): number | undefined {
  const asked: number[] = [];
  const header = Array.isArray(source.header) ? source.header[0] : source.header;
  if (header !== undefined) asked.push(parse(header, `the ${TIMEOUT_HEADER} header`));
  const parameter = source.parameters?.[TIMEOUT_PARAMETER];
  if (parameter !== undefined) asked.push(parse(parameter, `the ${TIMEOUT_PARAMETER} parameter`));
  return asked.length === 0 ? undefined : Math.min(limitMs, ...asked);
}
