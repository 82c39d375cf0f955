import { createError, errorBase } from '@infermesh/foundation';
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

/** The base of every error this library throws on purpose; switch on `code`, not on the message. */
export class ProcessingError extends errorBase<ProcessingErrorCode>('ProcessingError') {}

/** A step reference names no step (or no version of it) the catalog holds. */
export class UnknownStepError extends createError(ProcessingError, 'IM_PROCESSING_UNKNOWN_STEP', 'UnknownStepError', (step: string, known: readonly string[]) => `unknown step '${step}'; the catalog holds: ${known.length === 0 ? '(none)' : known.join(', ')}`, (step) => ({ step })) {}

/** The same step name and version was registered twice. */
export class DuplicateStepError extends createError(ProcessingError, 'IM_PROCESSING_DUPLICATE_STEP', 'DuplicateStepError', (step: string) => `step '${step}' is already registered`, (step) => ({ step })) {}

/** A step reference's options do not satisfy the step's schema; `cause` is the `ZodError`. */
export class InvalidOptionsError extends createError(ProcessingError, 'IM_PROCESSING_INVALID_OPTIONS', 'InvalidOptionsError', (step: string, detail: string) => `step '${step}': invalid options: ${detail}`, (step) => ({ step })) {}

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
export class PipelineMismatchError extends createError(ProcessingError, 'IM_PROCESSING_PIPELINE_MISMATCH', 'PipelineMismatchError', (message: string, details: PipelineMismatchDetails) => message, (_message, d) => ({ step: d.step, tensor: d.tensor, expected: d.expected, actual: d.actual, available: d.available })) {}

/** At run time, a tensor is missing or its datatype, shape or data is not what the step takes. */
export class BadInputError extends createError(ProcessingError, 'IM_PROCESSING_BAD_INPUT', 'BadInputError', (step: string, tensor: string, detail: string) => `step '${step}': input '${tensor}': ${detail}`, (step, tensor) => ({ step, tensor })) {}

/** A file a step needs (a vocabulary, say) is missing, unreadable or malformed. */
export class ProcessingFileError extends createError(ProcessingError, 'IM_PROCESSING_FILE', 'ProcessingFileError', (file: string, detail: string) => `file '${file}': ${detail}`, (file) => ({ file })) {}

/** A file name given in options points outside the model version folder. */
export class PathTraversalError extends createError(ProcessingError, 'IM_PROCESSING_PATH_TRAVERSAL', 'PathTraversalError', (file: string, dir: string) => `file '${file}' is outside the model folder '${dir}'`, (file) => ({ file })) {}

/** A step threw something that is not a `ProcessingError` (a bug in a custom step); `cause` is it. */
export class StepFailedError extends createError(ProcessingError, 'IM_PROCESSING_STEP_FAILED', 'StepFailedError', (step: string, detail: string) => `step '${step}' failed: ${detail}`, (step) => ({ step })) {}
