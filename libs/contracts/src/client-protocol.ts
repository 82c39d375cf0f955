import { z } from 'zod/v4';
import { InferRequestJsonSchema, InferResponseJsonSchema } from './inference-protocol.js';
import { ModelNameSchema, ModelVersionSchema } from './model-spec.js';

/**
 * The pipelined WebSocket client API at `/v2/ws`: JSON text frames, many requests in flight,
 * answers matched by `id` and possibly out of order.
 */
export const ClientMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('infer'),
    id: z.string().min(1).max(256),
    model: ModelNameSchema,
    version: ModelVersionSchema.optional(),
    request: InferRequestJsonSchema,
  }),
  z.object({ type: z.literal('cancel'), id: z.string().min(1).max(256) }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

export const ServerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('result'), id: z.string(), response: InferResponseJsonSchema }),
  /** `id` is absent when the frame itself could not be read. */
  /** `retryAfterSeconds`: the HTTP answer's Retry-After, for the codes that carry one (`IM_OVERLOADED`, `IM_RATE_LIMITED`…). */
  z.object({ type: z.literal('error'), id: z.string().optional(), code: z.string(), error: z.string(), retryAfterSeconds: z.number().optional() }),
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;
