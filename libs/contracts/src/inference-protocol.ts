import { z } from 'zod/v4';
import { DatatypeSchema } from './datatype.js';
import { ShapeSchema, TensorSpecSchema } from './tensor.js';

/**
 * The Open Inference Protocol (KServe v2) REST shapes, as the coordinator serves them.
 * Names follow the protocol (snake_case) because clients that no one here wrote send them.
 */
export const ParametersSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
export type Parameters = z.infer<typeof ParametersSchema>;

const JsonScalar = z.union([z.number(), z.string(), z.boolean()]);

export const InferInputJsonSchema = z.object({
  name: z.string().min(1).max(128),
  shape: ShapeSchema,
  datatype: DatatypeSchema,
  parameters: ParametersSchema.optional(),
  /**
   * Absent when the input travels as binary tensor data (`parameters.binary_data_size`). Nested or flat,
   * row-major. Only its being an array is checked here: each element is checked against the datatype
   * (and the nesting depth bounded) while it is decoded into a typed array (`tensorFromJson`), so the
   * data is walked once, not once by a schema and again by the decoder. A custom check rather than
   * `z.array(z.unknown())`, which would copy the array and make a parse record per element.
   */
  data: z.custom<unknown[]>((v) => Array.isArray(v), 'expected an array').optional(),
});
export type InferInputJson = z.infer<typeof InferInputJsonSchema>;

export const RequestedOutputSchema = z.object({
  name: z.string().min(1).max(128),
  parameters: ParametersSchema.optional(),
});

export const InferRequestJsonSchema = z.object({
  id: z.string().max(256).optional(),
  parameters: ParametersSchema.optional(),
  inputs: z.array(InferInputJsonSchema).min(1).max(64),
  outputs: z.array(RequestedOutputSchema).max(64).optional(),
});
export type InferRequestJson = z.infer<typeof InferRequestJsonSchema>;

export const InferOutputJsonSchema = z.object({
  name: z.string(),
  shape: ShapeSchema,
  datatype: DatatypeSchema,
  parameters: ParametersSchema.optional(),
  data: z.array(JsonScalar),
});
export type InferOutputJson = z.infer<typeof InferOutputJsonSchema>;

export const InferResponseJsonSchema = z.object({
  model_name: z.string(),
  model_version: z.string().optional(),
  id: z.string().optional(),
  parameters: ParametersSchema.optional(),
  outputs: z.array(InferOutputJsonSchema),
});
export type InferResponseJson = z.infer<typeof InferResponseJsonSchema>;

/** The protocol's error body is `{ error: string }`; infermesh adds a stable `code` beside it. */
export const ErrorResponseSchema = z.object({ error: z.string(), code: z.string() });
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;

export const ServerMetadataSchema = z.object({
  name: z.string(),
  version: z.string(),
  extensions: z.array(z.string()),
});
export type ServerMetadata = z.infer<typeof ServerMetadataSchema>;

export const ModelMetadataSchema = z.object({
  name: z.string(),
  versions: z.array(z.string()),
  platform: z.string(),
  inputs: z.array(TensorSpecSchema),
  outputs: z.array(TensorSpecSchema),
  parameters: ParametersSchema.optional(),
});
export type ModelMetadata = z.infer<typeof ModelMetadataSchema>;

/** Async mode: `Prefer: respond-async` on infer answers 202 with this; the result is at `location`. */
export const AsyncAcceptedSchema = z.object({
  id: z.string(),
  status: z.literal('pending'),
  location: z.string(),
});
export type AsyncAccepted = z.infer<typeof AsyncAcceptedSchema>;

export const AsyncStatusSchema = z.discriminatedUnion('status', [
  z.object({ id: z.string(), status: z.literal('pending') }),
  z.object({ id: z.string(), status: z.literal('done'), response: InferResponseJsonSchema }),
  z.object({ id: z.string(), status: z.literal('failed'), error: z.string(), code: z.string() }),
]);
export type AsyncStatus = z.infer<typeof AsyncStatusSchema>;
