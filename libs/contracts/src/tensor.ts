import { z } from 'zod/v4';
import { DatatypeSchema, TYPED_ARRAY_OF, type Datatype, type TensorData } from './datatype.js';

/** A dimension of a declared shape: a size, or -1 for "any size" (the batch dimension, say). */
export const DimSchema = z.int().min(-1);
/** A concrete shape: every dimension known. */
export const ShapeSchema = z.array(z.int().nonnegative()).max(16);

/** What a model declares about one of its input or output tensors. */
export const TensorSpecSchema = z.object({
  name: z.string().min(1).max(128),
  datatype: DatatypeSchema,
  shape: z.array(DimSchema).max(16),
});
export type TensorSpec = z.infer<typeof TensorSpecSchema>;

/** A tensor in memory and on the wire between coordinator and worker (typed arrays, no base64). */
export interface Tensor<D extends Datatype = Datatype> {
  datatype: D;
  shape: number[];
  data: TensorData;
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function dataMatches(datatype: Datatype, data: unknown): boolean {
  if (datatype === 'BYTES') return Array.isArray(data) && data.every((s) => typeof s === 'string');
  return data instanceof TYPED_ARRAY_OF[datatype];
}

/** Validates a tensor that arrived from another process: datatype, shape and data agree. */
export const TensorSchema = z
  .object({
    datatype: DatatypeSchema,
    shape: ShapeSchema,
    data: z.custom<TensorData>((d) => ArrayBuffer.isView(d) || Array.isArray(d), 'expected a typed array or string[]'),
  })
  .superRefine((t, ctx) => {
    if (!dataMatches(t.datatype, t.data)) {
      ctx.addIssue({ code: 'custom', message: `data does not hold ${t.datatype} elements`, path: ['data'] });
    } else if (t.data.length !== elementCount(t.shape)) {
      ctx.addIssue({
        code: 'custom',
        message: `data has ${t.data.length} elements, shape [${t.shape.join(', ')}] needs ${elementCount(t.shape)}`,
        path: ['data'],
      });
    }
  }) as unknown as z.ZodType<Tensor>;

/** Named tensors, the unit of model input and output. */
export const TensorMapSchema = z.record(z.string().min(1).max(128), TensorSchema);
export type TensorMap = Record<string, Tensor>;

/** Whether a concrete shape fits a declared one (-1 matches any size). */
export function shapeFits(shape: readonly number[], declared: readonly number[]): boolean {
  return shape.length === declared.length && declared.every((d, i) => d === -1 || d === shape[i]);
}

/**
 * Whether a tensor declared as `have` can feed an input declared as `want`, both being declarations
 * (a build-time check): same datatype and rank, and each dimension equal or `-1` on either side (a
 * size not known yet, checked again at run time with `shapeFits`).
 */
export function specFits(have: TensorSpec, want: TensorSpec): boolean {
  return (
    have.datatype === want.datatype &&
    have.shape.length === want.shape.length &&
    want.shape.every((d, i) => d === -1 || have.shape[i] === -1 || have.shape[i] === d)
  );
}
