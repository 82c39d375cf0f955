import type { z } from 'zod/v4';
import { DATATYPES } from './datatype.js';
import { InferRequestJsonSchema, type InferRequestJson } from './inference-protocol.js';

const DATATYPE_SET: ReadonlySet<string> = new Set(DATATYPES);

/**
 * `InferRequestJsonSchema.safeParse`, with the common case checked by hand first: a body that is
 * exactly what the schema accepts, as `JSON.parse` builds it (plain objects, no `undefined`, no
 * `__proto__` key), is copied out in the schema's output form (known keys only, in the schema's order;
 * `data` arrays passed through) without zod's walk, which was 2–3 % of an answer's CPU. Anything else,
 * wrong or merely unusual, goes to the schema, so that its answer, and its error message, are zod's.
 * The two agree on every input (`infer-request-parse.test.ts` checks it on generated bodies).
 */
export function parseInferRequestJson(value: unknown): z.ZodSafeParseResult<InferRequestJson> {
  const data = plainRequest(value);
  return data !== undefined ? { success: true, data } : InferRequestJsonSchema.safeParse(value);
}

type Fields = Record<string, unknown>;

function plainObject(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

function name(v: unknown): v is string {
  return typeof v === 'string' && v.length >= 1 && v.length <= 128;
}

function plainRequest(v: unknown): InferRequestJson | undefined {
  if (!plainObject(v)) return undefined;
  const { id, parameters, inputs, outputs } = v;
  if ('id' in v && (typeof id !== 'string' || id.length > 256)) return undefined;
  let params: InferRequestJson['parameters'];
  if ('parameters' in v && (params = plainParameters(parameters)) === undefined) return undefined;
  if (!Array.isArray(inputs) || inputs.length < 1 || inputs.length > 64) return undefined;
  const ins: InferRequestJson['inputs'] = new Array(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const input = plainInput(inputs[i]);
    if (input === undefined) return undefined;
    ins[i] = input;
  }
  let outs: InferRequestJson['outputs'];
  if ('outputs' in v) {
    if (!Array.isArray(outputs) || outputs.length > 64) return undefined;
    outs = new Array(outputs.length);
    for (let i = 0; i < outputs.length; i++) {
      const output = plainOutput(outputs[i]);
      if (output === undefined) return undefined;
      outs[i] = output;
    }
  }
  // In the schema's key order: id, parameters, inputs, outputs.
  return {
    ...(id !== undefined ? { id: id as string } : {}),
    ...(params !== undefined ? { parameters: params } : {}),
    inputs: ins,
    ...(outs !== undefined ? { outputs: outs } : {}),
  };
}

function plainInput(v: unknown): InferRequestJson['inputs'][number] | undefined {
  if (!plainObject(v)) return undefined;
  const { name: n, shape, datatype, parameters, data } = v;
  if (!name(n) || !Array.isArray(shape) || shape.length > 16) return undefined;
  for (const d of shape) if (!Number.isSafeInteger(d) || (d as number) < 0) return undefined;
  if (typeof datatype !== 'string' || !DATATYPE_SET.has(datatype)) return undefined;
  const input: InferRequestJson['inputs'][number] = { name: n, shape: [...(shape as number[])], datatype: datatype as InferRequestJson['inputs'][number]['datatype'] };
  if ('parameters' in v && (input.parameters = plainParameters(parameters)) === undefined) return undefined;
  if ('data' in v) {
    if (!Array.isArray(data)) return undefined;
    input.data = data;
  }
  return input;
}

function plainOutput(v: unknown): NonNullable<InferRequestJson['outputs']>[number] | undefined {
  if (!plainObject(v) || !name(v['name'])) return undefined;
  const output: NonNullable<InferRequestJson['outputs']>[number] = { name: v['name'] };
  if ('parameters' in v && (output.parameters = plainParameters(v['parameters'])) === undefined) return undefined;
  return output;
}

function plainParameters(v: unknown): InferRequestJson['parameters'] | undefined {
  if (!plainObject(v)) return undefined;
  const out: NonNullable<InferRequestJson['parameters']> = {};
  for (const key in v) {
    if (!Object.hasOwn(v, key) || key === '__proto__') return undefined;
    const value = v[key];
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) out[key] = value;
    else return undefined;
  }
  return out;
}
