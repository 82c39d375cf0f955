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

export class RuntimeError extends Error {
  override readonly name: string = 'RuntimeError';
  readonly code: RuntimeErrorCode;
  constructor(code: RuntimeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

const causeText = (cause: unknown): string => (cause instanceof Error ? `: ${cause.message}` : '');

/** The model file could not be read, parsed or initialised. */
export class LoadFailedError extends RuntimeError {
  override readonly name = 'LoadFailedError';
  readonly file: string;
  constructor(file: string, detail: string, options?: { cause?: unknown }) {
    super('IM_RUNTIME_LOAD_FAILED', `cannot load ${file}: ${detail}${causeText(options?.cause)}`, options);
    this.file = file;
  }
}

/** The spec names another platform than the runtime it was given to. */
export class PlatformMismatchError extends RuntimeError {
  override readonly name = 'PlatformMismatchError';
  constructor(model: string, platform: string, runtime: string) {
    super('IM_RUNTIME_PLATFORM_MISMATCH', `model "${model}" is for platform "${platform}", this runtime is "${runtime}"`);
  }
}

/** A tensor element type this runtime cannot hold (FP16 and BYTES in ONNX Runtime, say). */
export class UnsupportedDatatypeError extends RuntimeError {
  override readonly name = 'UnsupportedDatatypeError';
  readonly datatype: string;
  constructor(tensor: string, datatype: string, runtime: string) {
    super('IM_RUNTIME_UNSUPPORTED_DATATYPE', `tensor "${tensor}": datatype ${datatype} is not supported by the ${runtime} runtime`);
    this.datatype = datatype;
  }
}

/** Inputs are missing, unexpected, empty, or their data does not fit their shape. */
export class BadInputError extends RuntimeError {
  override readonly name = 'BadInputError';
  constructor(message: string) {
    super('IM_RUNTIME_BAD_INPUT', message);
  }
}

/** Shapes disagree: with the model's declared shape, or between tensors stacked into one batch. */
export class ShapeMismatchError extends RuntimeError {
  override readonly name = 'ShapeMismatchError';
  constructor(message: string) {
    super('IM_RUNTIME_SHAPE_MISMATCH', message);
  }
}

/** Datatypes disagree: with the model's declared datatype, or between tensors stacked into one batch. */
export class DatatypeMismatchError extends RuntimeError {
  override readonly name = 'DatatypeMismatchError';
  constructor(message: string) {
    super('IM_RUNTIME_DATATYPE_MISMATCH', message);
  }
}

/** The model itself failed while running. */
export class RunFailedError extends RuntimeError {
  override readonly name = 'RunFailedError';
  constructor(model: string, options?: { cause?: unknown }) {
    super('IM_RUNTIME_RUN_FAILED', `model "${model}" failed${causeText(options?.cause)}`, options);
  }
}

/** The caller's AbortSignal fired before the run's result was handed back. */
export class AbortedError extends RuntimeError {
  override readonly name = 'AbortedError';
  constructor(model: string, options?: { cause?: unknown }) {
    super('IM_RUNTIME_ABORTED', `run of model "${model}" was aborted`, options);
  }
}

/** `run` after `close`. */
export class ClosedError extends RuntimeError {
  override readonly name = 'ClosedError';
  constructor(model: string) {
    super('IM_RUNTIME_CLOSED', `model "${model}" is closed`);
  }
}
