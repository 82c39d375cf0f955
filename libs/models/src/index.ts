export { mulberry32 } from './prng.js';
export { encodeFloatGraph, decodeInitializers, IR_VERSION, OPSET } from './onnx-graph.js';
export type { FloatGraph, GraphNode, GraphTensor, GraphInitializer } from './onnx-graph.js';
export { mlpWeights, mlpReference, buildMlpOnnx, mlpManifest, DEFAULT_MLP_DIMS } from './mlp.js';
export type { MlpWeights, MlpLayer } from './mlp.js';
export {
  sentimentVocabulary, buildSentimentOnnx, sentimentReference, sentimentManifest, SENTIMENT_LABELS, SENTIMENT_BIAS,
} from './sentiment.js';
export type { SentimentVocabulary } from './sentiment.js';
export { bagOfWords } from './bag-of-words.js';
export { NOOP_MODULE_SOURCE, noopManifest } from './noop.js';
export { writeModelRepository, WriteModelRepositoryOptionsSchema, MODEL_NAMES, defaultModelCache } from './write-model-repository.js';
export type { WriteModelRepositoryOptions, WrittenModel, ModelName } from './write-model-repository.js';
export { OCR_FILES, ocrAssetsDir, ocrFile, ocrDetectorManifest, ocrRecognizerManifest, ocrPipelineManifest } from './ocr.js';
