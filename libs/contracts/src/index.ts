export { DATATYPES, DatatypeSchema, TYPED_ARRAY_OF, INTEGER_RANGE, bytesPerElement } from './datatype.js';
export type { Datatype, TensorData, TensorDataMap } from './datatype.js';
export {
  DimSchema, ShapeSchema, TensorSpecSchema, TensorSchema, TensorMapSchema, elementCount, shapeFits, specFits,
} from './tensor.js';
export type { Tensor, TensorMap, TensorSpec } from './tensor.js';
export { tensorFromJson, tensorToJson } from './tensor-json.js';
export { INFERENCE_HEADER_CONTENT_LENGTH, binaryInputs, joinBinaryBody, splitBinaryBody, tensorFromBinary, tensorToBinary } from './binary-tensor.js';
export type { BytesElements } from './binary-tensor.js';
export {
  ParametersSchema, InferInputJsonSchema, RequestedOutputSchema, InferRequestJsonSchema, InferOutputJsonSchema,
  InferResponseJsonSchema, ErrorResponseSchema, ServerMetadataSchema, ModelMetadataSchema, AsyncAcceptedSchema,
  AsyncStatusSchema,
} from './inference-protocol.js';
export { parseInferRequestJson } from './infer-request-parse.js';
export type {
  Parameters, InferInputJson, InferRequestJson, InferOutputJson, InferResponseJson, ErrorResponse, ServerMetadata,
  ModelMetadata, AsyncAccepted, AsyncStatus,
} from './inference-protocol.js';
export {
  ModelNameSchema, ModelVersionSchema, ModelReplicasSchema, StepRefSchema, BatchingPolicySchema, ModelSpecSchema, modelVersionKey,
} from './model-spec.js';
export type { StepRef, BatchingPolicy, ModelSpec, ModelSpecInput } from './model-spec.js';
export {
  PeerAddressSchema, ChannelTlsSchema, ClusterEtcdSchema, ClusterWorkerSchema, clusterWorkersPrefix, WorkerInfoSchema, DescribeRequestSchema, InferItemSchema, InferBatchRequestSchema, ItemErrorSchema,
  InferItemResultSchema, InferBatchResponseSchema, TraceparentSchema, WorkerSpanSchema, workerProtocol,
  STAGES, StageSchema, WorkerRoleSchema, roleOfStage, StageSignatureSchema, ModelStagesSchema, BatchTimingsSchema,
  ModelControlRequestSchema, PlaceableModelSchema, ChangedResponseSchema,
} from './worker-protocol.js';
export type {
  ChannelTls, ClusterEtcd, ClusterWorker, WorkerInfo, DescribeRequest, InferItem, InferBatchRequest, InferBatchRequestInput, InferItemResult,
  InferBatchResponse, WorkerProtocol, WorkerSpan, Stage, WorkerRole, StageSignature, ModelStages, BatchTimings,
  ModelControlRequest, PlaceableModel,
} from './worker-protocol.js';
export { classificationRequests, classifyTensor } from './classification.js';
export { rawBinaryRequest } from './raw-binary-request.js';
export type { ClassificationRequest } from './classification.js';
export { TRITON_DATA_TYPE, tritonModelConfig } from './model-config.js';
export type { TritonModelConfig, TritonModelInput, TritonModelOutput, ModelDeployment } from './model-config.js';
export {
  DurationStatSchema, InferStatsSchema, BatchStatsSchema, ModelStatSchema, ModelStatsResponseSchema,
} from './model-statistics.js';
export type { DurationStat, InferStats, BatchStats, ModelStat, ModelStatsResponse } from './model-statistics.js';
export {
  ModelStateSchema, RepositoryIndexEntrySchema, RepositoryIndexRequestSchema, RepositoryModelRequestSchema,
} from './model-repository.js';
export type { ModelState, RepositoryIndexEntry, RepositoryIndexRequest } from './model-repository.js';
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
