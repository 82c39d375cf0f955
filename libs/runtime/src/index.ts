export type { ModelRuntime, LoadedModel, RuntimeTensorInfo, RunOptions } from './model-runtime.js';
export { OnnxRuntime, OnnxRuntimeOptionsSchema } from './onnx-runtime.js';
export type { OnnxRuntimeOptions } from './onnx-runtime.js';
export { ORT_TYPE_OF } from './onnx-datatype.js';
export type { OnnxDatatype } from './onnx-datatype.js';
export { JsRuntime } from './js-runtime.js';
export type { JsModelModule } from './js-runtime.js';
export { concatBatch, splitBatch } from './batch-tensors.js';
export { runBatch } from './run-batch.js';
export {
  RUNTIME_ERROR_CODES, RuntimeError, LoadFailedError, PlatformMismatchError, UnsupportedDatatypeError, BadInputError,
  ShapeMismatchError, DatatypeMismatchError, RunFailedError, AbortedError, ClosedError,
} from './errors.js';
export type { RuntimeErrorCode } from './errors.js';
