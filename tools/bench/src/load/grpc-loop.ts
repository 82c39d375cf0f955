import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { inFlightLoop } from './in-flight-loop.js';
import type { LoadResult, OnAnswer } from './load-result.js';

/** The .proto that @infermesh/contracts ships (the KServe v2 `inference.GRPCInferenceService`): what a user generates a client from. */
export const PROTO_FILE = join(dirname(createRequire(import.meta.url).resolve('@infermesh/contracts/package.json')), 'proto', 'grpc_service.proto');

/** The part of a ModelInfer answer the bench reads. */
export interface ModelInferAnswer {
  model_name: string;
  outputs: Array<{ name: string; datatype: string; shape: number[] }>;
  raw_output_contents: Buffer[];
}

/** One raw FP32 input of a ModelInfer request, as Triton's clients send it (`raw_input_contents`). */
export interface RawInput {
  name: string;
  datatype: string;
  shape: number[];
  bytes: Buffer;
}

type Unary = (request: object, metadata: grpc.Metadata, options: grpc.CallOptions, done: (error: grpc.ServiceError | null, answer: ModelInferAnswer) => void) => grpc.ClientUnaryCall;

/**
 * A KServe v2 gRPC client on one channel (one HTTP/2 connection, as a gRPC client keeps it), with the
 * stubs loaded from the shipped .proto by proto-loader's usual options.
 */
export class InferenceGrpcClient {
  readonly #client: grpc.Client;
  readonly #modelInfer: Unary;

  constructor(address: string) {
    const definition = protoLoader.loadSync(PROTO_FILE, { keepCase: true, longs: Number, defaults: true, oneofs: true });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as {
      inference: { GRPCInferenceService: new (address: string, credentials: grpc.ChannelCredentials) => grpc.Client };
    };
    this.#client = new loaded.inference.GRPCInferenceService(address, grpc.credentials.createInsecure());
    const method = (this.#client as unknown as Record<string, Unary>)['ModelInfer'];
    if (!method) throw new Error(`${PROTO_FILE} has no ModelInfer`);
    this.#modelInfer = method.bind(this.#client);
  }

  /** One ModelInfer call with raw input contents; rejects with the call's gRPC error. */
  modelInfer(model: string, input: RawInput): Promise<ModelInferAnswer> {
    const request = {
      model_name: model,
      inputs: [{ name: input.name, datatype: input.datatype, shape: input.shape }],
      raw_input_contents: [input.bytes],
    };
    return new Promise((resolve, reject) => {
      this.#modelInfer(request, new grpc.Metadata(), {}, (error, answer) => (error ? reject(error) : resolve(answer)));
    });
  }

  close(): void {
    this.#client.close();
  }
}

export interface GrpcLoadOptions {
  /** The coordinator's gRPC endpoint, host:port. */
  address: string;
  model: string;
  /** Inputs taken in one turn shared by every caller: distinct in flight as long as there are more inputs than callers. */
  inputs: readonly RawInput[];
  /** The bytes a successful answer's first raw output holds; any other answer counts as a failure. */
  outputBytes: number;
  concurrency: number;
  durationS: number;
  onAnswer?: OnAnswer;
}

/** N callers on one gRPC channel, each with one ModelInfer in flight (a closed loop, as autocannon's N connections). */
export async function runGrpcLoad(options: GrpcLoadOptions): Promise<LoadResult> {
  if (options.inputs.length === 0) throw new TypeError('inputs must hold at least one input');
  const client = new InferenceGrpcClient(options.address);
  let next = 0;
  try {
    return await inFlightLoop({
      concurrency: options.concurrency,
      durationS: options.durationS,
      once: async () => {
        const input = options.inputs[next++ % options.inputs.length] as RawInput;
        const answer = await client.modelInfer(options.model, input);
        return answer.raw_output_contents[0]?.length === options.outputBytes;
      },
      ...(options.onAnswer ? { onAnswer: options.onAnswer } : {}),
    });
  } finally {
    client.close();
  }
}
