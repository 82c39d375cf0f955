import type { TensorSpec } from '@infermesh/contracts';

/** Every code a `ProcessingError` carries. Each one is documented in the README (a test checks it). */
export const PROCESSING_ERROR_CODES = [
  'IM_PROCESSING_UNKNOWN_STEP',
  'IM_PROCESSING_DUPLICATE_STEP',
  'IM_PROCESSING_INVALID_OPTIONS',
  'IM_PROCESSING_PIPELINE_MISMATCH',
  'IM_PROCESSING_BAD_INPUT',
  'IM_PROCESSING_FILE',
  'IM_PROCESSING_PATH_TRAVERSAL',
  'IM_PROCESSING_STEP_FAILED',
] as const;
export type ProcessingErrorCode = (typeof PROCESSING_ERROR_CODES)[number];

interface ErrorOptions {
  cause?: unknown;
}

/** The base of every error this library throws on purpose; switch on `code`, not on the message. */
export class ProcessingError extends Error {
  override name = 'ProcessingError';
  readonly code: ProcessingErrorCode;
  constructor(code: ProcessingErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** A step reference names no step (or no version of it) the catalog holds. */
export class UnknownStepError extends ProcessingError {
  override name = 'UnknownStepError';
  declare readonly code: 'IM_PROCESSING_UNKNOWN_STEP';
  readonly step: string;
  constructor(step: string, known: readonly string[], options?: ErrorOptions) {
    super(
      'IM_PROCESSING_UNKNOWN_STEP',
      `unknown step '${step}'; the catalog holds: ${known.length === 0 ? '(none)' : known.join(', ')}`,
      options,
    );
    this.step = step;
  }
}

/** The same step name and version was registered twice. */
export class DuplicateStepError extends ProcessingError {
  override name = 'DuplicateStepError';
  declare readonly code: 'IM_PROCESSING_DUPLICATE_STEP';
  readonly step: string;
  constructor(step: string, options?: ErrorOptions) {
    super('IM_PROCESSING_DUPLICATE_STEP', `step '${step}' is already registered`, options);
    this.step = step;
  }
}

/** A step reference's options do not satisfy the step's schema; `cause` is the `ZodError`. */
export class InvalidOptionsError extends ProcessingError {
  override name = 'InvalidOptionsError';
  declare readonly code: 'IM_PROCESSING_INVALID_OPTIONS';
  readonly step: string;
  constructor(step: string, detail: string, options?: ErrorOptions) {
    super('IM_PROCESSING_INVALID_OPTIONS', `step '${step}': invalid options: ${detail}`, options);
    this.step = step;
  }
}

export interface PipelineMismatchDetails {
  /** The step that cannot run, as `name@version`. */
  step: string;
  /** The tensor that is missing or does not fit. */
  tensor: string;
  /** What the step needs. */
  expected?: TensorSpec;
  /** What was there instead, if anything of that name was. */
  actual?: TensorSpec;
  /** Every tensor present before the step. */
  available: readonly TensorSpec[];
}

/** At build time, a step's input is missing or has the wrong datatype or shape. */
export class PipelineMismatchError extends ProcessingError {
  override name = 'PipelineMismatchError';
  declare readonly code: 'IM_PROCESSING_PIPELINE_MISMATCH';
  readonly step: string;
  readonly tensor: string;
  readonly expected: TensorSpec | undefined;
  readonly actual: TensorSpec | undefined;
  readonly available: readonly TensorSpec[];
  constructor(message: string, details: PipelineMismatchDetails, options?: ErrorOptions) {
    super('IM_PROCESSING_PIPELINE_MISMATCH', message, options);
    this.step = details.step;
    this.tensor = details.tensor;
    this.expected = details.expected;
    this.actual = details.actual;
    this.available = details.available;
  }
}

/** At run time, a tensor is missing or its datatype, shape or data is not what the step takes. */
export class BadInputError extends ProcessingError {
  override name = 'BadInputError';
  declare readonly code: 'IM_PROCESSING_BAD_INPUT';
  readonly step: string;
  readonly tensor: string;
  constructor(step: string, tensor: string, detail: string, options?: ErrorOptions) {
    super('IM_PROCESSING_BAD_INPUT', `step '${step}': input '${tensor}': ${detail}`, options);
    this.step = step;
    this.tensor = tensor;
  }
}

/** A file a step needs (a vocabulary, say) is missing, unreadable or malformed. */
export class ProcessingFileError extends ProcessingError {
  override name = 'ProcessingFileError';
  declare readonly code: 'IM_PROCESSING_FILE';
  readonly file: string;
  constructor(file: string, detail: string, options?: ErrorOptions) {
    super('IM_PROCESSING_FILE', `file '${file}': ${detail}`, options);
    this.file = file;
  }
}

/** A file name given in options points outside the model version folder. */
export class PathTraversalError extends ProcessingError {
  override name = 'PathTraversalError';
  declare readonly code: 'IM_PROCESSING_PATH_TRAVERSAL';
  readonly file: string;
  constructor(file: string, dir: string, options?: ErrorOptions) {
    super('IM_PROCESSING_PATH_TRAVERSAL', `file '${file}' is outside the model folder '${dir}'`, options);
    this.file = file;
  }
}

/** A step threw something that is not a `ProcessingError` (a bug in a custom step); `cause` is it. */
export class StepFailedError extends ProcessingError {
  override name = 'StepFailedError';
  declare readonly code: 'IM_PROCESSING_STEP_FAILED';
  readonly step: string;
  constructor(step: string, detail: string, options?: ErrorOptions) {
    super('IM_PROCESSING_STEP_FAILED', `step '${step}' failed: ${detail}`, options);
    this.step = step;
  }
}
