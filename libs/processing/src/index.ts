export {
  PROCESSING_ERROR_CODES, ProcessingError, UnknownStepError, DuplicateStepError, InvalidOptionsError,
  PipelineMismatchError, BadInputError, ProcessingFileError, PathTraversalError, StepFailedError,
} from './errors.js';
export type { ProcessingErrorCode, PipelineMismatchDetails } from './errors.js';
export { TensorNameSchema } from './step.js';
export type { StepContext, StepDefinition, StepInstance } from './step.js';
export { StepCatalog } from './catalog.js';
export { defaultCatalog } from './default-catalog.js';
export { buildPipeline } from './pipeline.js';
export type { Pipeline, PipelineStep, PipelineStepRef } from './pipeline.js';
export { readInput } from './spec-check.js';
export { readModelFile } from './model-file.js';
export { Tokenizer, tokenize } from './tokenizer.js';
export type { TokenizerOptions } from './tokenizer.js';
export { tokenizeStep, TokenizeOptionsSchema } from './steps/tokenize.js';
export type { TokenizeOptions } from './steps/tokenize.js';
export { softmaxStep, SoftmaxOptionsSchema, softmax } from './steps/softmax.js';
export type { SoftmaxOptions } from './steps/softmax.js';
export { topKStep, TopKOptionsSchema, topK } from './steps/top-k.js';
export type { TopKOptions } from './steps/top-k.js';
export { argmaxLabelStep, ArgmaxLabelOptionsSchema, argmaxLabels } from './steps/argmax-label.js';
export type { ArgmaxLabelOptions } from './steps/argmax-label.js';
export { normalizeStep, NormalizeOptionsSchema, normalize } from './steps/normalize.js';
export type { NormalizeOptions } from './steps/normalize.js';
