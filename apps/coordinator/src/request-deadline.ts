import { ApiError } from '@infermesh/contracts';

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
 * A request's one deadline, absolute on the monotonic clock (`performance.now()` ms): `now` plus what
 * the client asked for (header, the `timeout_ms` parameter, the call's own deadline as `callMs`; the
 * shortest of those given), capped by the coordinator's `requestTimeoutMs`, which is also the default.
 * Made once at the edge; everything downstream (queue, balancer, worker call) gets this number unchanged.
 */
export function requestDeadline(
  source: {
    header?: unknown;
    parameters?: Readonly<Record<string, unknown>> | undefined;
    /** Milliseconds left of a deadline the transport carries (a gRPC call's); none left is IM_TIMEOUT at once. */
    callMs?: number | undefined;
  },
  requestTimeoutMs: number,
  now: number = performance.now(),
): number {
  let ms = requestTimeoutMs;
  if (source.callMs !== undefined) {
    if (!(source.callMs > 0)) throw new ApiError('IM_TIMEOUT', 'the call\'s deadline passed before the request was read');
    ms = Math.min(ms, source.callMs);
  }
  const header = Array.isArray(source.header) ? source.header[0] : source.header;
  if (header !== undefined) ms = Math.min(ms, parse(header, `the ${TIMEOUT_HEADER} header`));
  const parameter = source.parameters?.[TIMEOUT_PARAMETER];
  if (parameter !== undefined) ms = Math.min(ms, parse(parameter, `the ${TIMEOUT_PARAMETER} parameter`));
  return now + ms;
}
