export {
  PROCESSING_ERROR_CODES, ProcessingError, UnknownStepError, DuplicateStepError, InvalidOptionsError,
  PipelineMismatchError, BadInputError, ProcessingFileError, PathTraversalError, StepFailedError,
} from './errors.js';
export type { ProcessingErrorCode, PipelineMismatchDetails } from './errors.js';
export { TensorNameSchema } from './step.js';
export type { StepContext, StepDefinition, StepInstance, SyncStepInstance } from './step.js';
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
export { decodeImage, resizeImage, DEFAULT_MAX_PIXELS } from './ocr/image.js';
export type { RgbImage, DecodeImageOptions } from './ocr/image.js';
export { detectorSize, detectorInput, DETECTOR_MEAN, DETECTOR_STD } from './ocr/detector-input.js';
export { dbPostprocess, textRegions, boxScore, unclip, readingOrder, DB_DEFAULTS } from './ocr/db-postprocess.js';
export type { DbOptions, TextBox, ProbabilityMap } from './ocr/db-postprocess.js';
export { minAreaRect, convexHull, rectCorners } from './ocr/min-area-rect.js';
export type { Point, RotatedRect } from './ocr/min-area-rect.js';
export { perspectiveCrop, homography, rotateCounterClockwise } from './ocr/perspective-crop.js';
export { recognizerRow, recognizerWidth, RECOGNIZER_HEIGHT, RECOGNIZER_MIN_WIDTH } from './ocr/recognizer-input.js';
export type { RecognizerRow } from './ocr/recognizer-input.js';
export { ctcGreedyDecode, ctcCharacters } from './ocr/ctc-decode.js';
export type { DecodedText } from './ocr/ctc-decode.js';
export { readText, detectText, recognizeLines } from './ocr/read-text.js';
export type { OcrNetworks, ReadTextOptions, TextLine, FloatTensor } from './ocr/read-text.js';
