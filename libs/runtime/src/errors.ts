import { createError, errorBase } from '@infermesh/foundation';

/** Every error code this library throws. The README documents each one; a test keeps them in sync. */
export const RUNTIME_ERROR_CODES = [
  'IM_RUNTIME_LOAD_FAILED',
  'IM_RUNTIME_PLATFORM_MISMATCH',
  'IM_RUNTIME_UNSUPPORTED_DATATYPE',
  'IM_RUNTIME_BAD_INPUT',
  'IM_RUNTIME_SHAPE_MISMATCH',
  'IM_RUNTIME_DATATYPE_MISMATCH',
  'IM_RUNTIME_RUN_FAILED',
  'IM_RUNTIME_ABORTED',
  'IM_RUNTIME_CLOSED',
] as const;
export type RuntimeErrorCode = (typeof RUNTIME_ERROR_CODES)[number];

export class RuntimeError extends errorBase<RuntimeErrorCode>('RuntimeError') {}

const causeText = (cause: unknown): string => (cause instanceof Error ? `: ${cause.message}` : '');

// LoadFailedError and RunFailedError put their cause's message into their own, which a one-line message
// function (it sees the arguments, not the options) cannot: they stay short classes over the base.

/** The model file could not be read, parsed or initialised. */
export class LoadFailedError extends RuntimeError {
  readonly file: string;
  constructor(file: string, detail: string, options?: ErrorOptions) {
    super('IM_RUNTIME_LOAD_FAILED', `cannot load ${file}: ${detail}${causeText(options?.cause)}`, options);
    this.name = 'LoadFailedError';
    this.file = file;
  }
}

/** The spec names another platform than the runtime it was given to. */
export class PlatformMismatchError extends createError(RuntimeError, 'IM_RUNTIME_PLATFORM_MISMATCH', 'PlatformMismatchError', (model: string, platform: string, runtime: string) => `model "${model}" is for platform "${platform}", this runtime is "${runtime}"`) {}

/** A tensor element type this runtime cannot hold (FP16 and BYTES in ONNX Runtime, say). */
export class UnsupportedDatatypeError extends createError(RuntimeError, 'IM_RUNTIME_UNSUPPORTED_DATATYPE', 'UnsupportedDatatypeError', (tensor: string, datatype: string, runtime: string) => `tensor "${tensor}": datatype ${datatype} is not supported by the ${runtime} runtime`, (_tensor, datatype) => ({ datatype })) {}

/** Inputs are missing, unexpected, empty, or their data does not fit their shape. */
export class BadInputError extends createError(RuntimeError, 'IM_RUNTIME_BAD_INPUT', 'BadInputError', (message: string) => message) {}

/** Shapes disagree: with the model's declared shape, or between tensors stacked into one batch. */
export class ShapeMismatchError extends createError(RuntimeError, 'IM_RUNTIME_SHAPE_MISMATCH', 'ShapeMismatchError', (message: string) => message) {}

/** Datatypes disagree: with the model's declared datatype, or between tensors stacked into one batch. */
export class DatatypeMismatchError extends createError(RuntimeError, 'IM_RUNTIME_DATATYPE_MISMATCH', 'DatatypeMismatchError', (message: string) => message) {}

/** The model itself failed while running. */
export class RunFailedError extends RuntimeError {
  constructor(model: string, options?: ErrorOptions) {
    super('IM_RUNTIME_RUN_FAILED', `model "${model}" failed${causeText(options?.cause)}`, options);
    this.name = 'RunFailedError';
  }
}

/** The caller's AbortSignal fired before the run's result was handed back. */
export class AbortedError extends createError(RuntimeError, 'IM_RUNTIME_ABORTED', 'AbortedError', (model: string) => `run of model "${model}" was aborted`) {}

/** `run` after `close`. */
export class ClosedError extends createError(RuntimeError, 'IM_RUNTIME_CLOSED', 'ClosedError', (model: string) => `model "${model}" is closed`) {}
