import { Packr } from 'msgpackr';
import { z } from 'zod/v4';

/** Correlation ids: chosen by the caller, unique among its calls in flight on one connection. */
const IdSchema = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Why a call failed on the callee, so the caller can raise the matching typed error. */
export const ERROR_KINDS = ['remote', 'invalid-message', 'method-not-found'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/**
 * The one envelope every WebSocket message carries, msgpack-encoded in a binary message.
 * `call` and `cancel` go from caller to callee; `result` and `error` come back with the call's id.
 */
export const FrameSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('call'),
    id: IdSchema,
    method: z.string().min(1).max(256),
    payload: z.unknown(),
    /** Epoch ms after which the caller stops waiting; absent when the call has no timeout. */
    deadline: z.number().optional(),
  }),
  z.object({ type: z.literal('result'), id: IdSchema, payload: z.unknown() }),
  z.object({
    type: z.literal('error'),
    id: IdSchema,
    kind: z.enum(ERROR_KINDS),
    message: z.string().max(16_384),
    /** The handler error's own `code`, for `kind: 'remote'`. */
    code: z.string().max(256).optional(),
  }),
  z.object({ type: z.literal('cancel'), id: IdSchema }),
]);
export type Frame = z.infer<typeof FrameSchema>;

/**
 * `moreTypes` keeps typed arrays (Float32Array, BigInt64Array, …) as their own class on the wire,
 * so tensors travel as raw bytes, not base64; `useRecords: false` keeps every message self-contained.
 */
const packr = new Packr({ moreTypes: true, useRecords: false });

export function encodeFrame(frame: Frame): Buffer {
  return packr.pack(frame);
}

export type DecodeResult =
  | { ok: true; frame: Frame }
  | { ok: false; reason: 'undecodable'; error: unknown }
  | { ok: false; reason: 'envelope'; error: z.ZodError; raw: unknown };

/** Decodes and checks the envelope; payloads are checked later against the method's own schema. */
export function decodeFrame(bytes: Uint8Array): DecodeResult {
  let raw: unknown;
  try {
    raw = packr.unpack(bytes);
  } catch (error) {
    return { ok: false, reason: 'undecodable', error };
  }
  const parsed = FrameSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: 'envelope', error: parsed.error, raw };
  return { ok: true, frame: parsed.data };
}

/** One line per issue, bounded, for error frames and messages (never a stack trace). */
export function summarizeIssues(error: z.ZodError, max = 5): string {
  const lines = error.issues.slice(0, max).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  if (error.issues.length > max) lines.push(`… and ${error.issues.length - max} more`);
  return lines.join('; ');
}
