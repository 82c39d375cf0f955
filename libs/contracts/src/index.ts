export { DATATYPES, DatatypeSchema, TYPED_ARRAY_OF, INTEGER_RANGE, bytesPerElement } from './datatype.js';
export type { Datatype, TensorData, TensorDataMap } from './datatype.js';
export {
  DimSchema, ShapeSchema, TensorSpecSchema, TensorSchema, TensorMapSchema, elementCount, shapeFits, specFits,
} from './tensor.js';
export type { Tensor, TensorMap, TensorSpec } from './tensor.js';
export { tensorFromJson, tensorToJson } from './tensor-json.js';
export { INFERENCE_HEADER_CONTENT_LENGTH, binaryInputs, joinBinaryBody, splitBinaryBody, tensorFromBinary, tensorToBinary } from './binary-tensor.js';
export {
  ParametersSchema, InferInputJsonSchema, RequestedOutputSchema, InferRequestJsonSchema, InferOutputJsonSchema,
  InferResponseJsonSchema, ErrorResponseSchema, ServerMetadataSchema, ModelMetadataSchema, AsyncAcceptedSchema,
  AsyncStatusSchema,
} from './inference-protocol.js';
export type {
  Parameters, InferInputJson, InferRequestJson, InferOutputJson, InferResponseJson, ErrorResponse, ServerMetadata,
  ModelMetadata, AsyncAccepted, AsyncStatus,
} from './inference-protocol.js';
export {
  ModelNameSchema, ModelVersionSchema, StepRefSchema, BatchingPolicySchema, ModelSpecSchema, modelVersionKey,
} from './model-spec.js';
export type { StepRef, BatchingPolicy, ModelSpec, ModelSpecInput } from './model-spec.js';
export {
  PeerAddressSchema, WorkerInfoSchema, DescribeRequestSchema, InferItemSchema, InferBatchRequestSchema, ItemErrorSchema,
  InferItemResultSchema, InferBatchResponseSchema, TraceparentSchema, WorkerSpanSchema, workerProtocol,
  STAGES, StageSchema, WorkerRoleSchema, roleOfStage, StageSignatureSchema, ModelStagesSchema,
} from './worker-protocol.js';
export type {
  WorkerInfo, DescribeRequest, InferItem, InferBatchRequest, InferBatchRequestInput, InferItemResult,
  InferBatchResponse, WorkerProtocol, WorkerSpan, Stage, WorkerRole, StageSignature, ModelStages,
} from './worker-protocol.js';
export { ClientMessageSchema, ServerMessageSchema } from './client-protocol.js';
export type { ClientMessage, ServerMessage } from './client-protocol.js';
export {
  API_ERRORS, GRPC_STATUS, WORKER_ERRORS, DEFAULT_RETRY_AFTER_SECONDS, ApiError, errorBody, isApiErrorCode, isWorkerErrorCode,
  apiCodeOfWorkerCode, WORKER_CHANNEL_ERRORS, WORKER_REFUSED_CLOSE_CODE,
} from './errors.js';
export type { ApiErrorCode, ApiErrorSpec, GrpcStatusName, WorkerErrorCode, WorkerChannelErrorCode } from './errors.js';
export {
  GRPC_LOADER_OPTIONS, inferRequestFromGrpc, inferResponseToGrpc, parametersFromGrpc, parametersToGrpc, tensorFromContents,
  tensorToContents,
} from './grpc-inference.js';
export type {
  GrpcInferParameter, GrpcParameters, GrpcTensorContents, GrpcInferRequest, GrpcInferResponse, GrpcDecodedRequest,
  TensorAnswerLike,
} from './grpc-inference.js';
export { decodeInferRequest } from './request-check.js';
export { outputContractViolation } from './output-check.js';
export type { OutputContract } from './output-check.js';
export type { DecodedRequest, DecodeLimits } from './request-check.js';
