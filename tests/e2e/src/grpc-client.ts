import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** The .proto that @infermesh/contracts ships: what a user generates a client from. */
export const PROTO_FILE = join(dirname(createRequire(import.meta.url).resolve('@infermesh/contracts/package.json')), 'proto', 'grpc_service.proto');

// A client as a user would load it: proto-loader's usual options, not the coordinator's (64-bit integers as numbers here).
const definition = protoLoader.loadSync(PROTO_FILE, { keepCase: true, longs: Number, defaults: true, oneofs: true });
const loaded = grpc.loadPackageDefinition(definition) as unknown as {
  inference: { GRPCInferenceService: new (address: string, credentials: grpc.ChannelCredentials) => grpc.Client };
};

export type GrpcMethod =
  | 'ServerLive' | 'ServerReady' | 'ServerMetadata' | 'ModelReady' | 'ModelMetadata' | 'ModelInfer'
  | 'ModelStatistics' | 'ModelConfig' | 'RepositoryIndex' | 'RepositoryModelLoad' | 'RepositoryModelUnload';

export interface CallOptions {
  key?: string;
  /** Milliseconds from now: the call's deadline. */
  deadlineMs?: number;
  metadata?: Record<string, string>;
  /** Called with the call itself, to cancel it or read its initial metadata. */
  onCall?: (call: grpc.ClientUnaryCall) => void;
}

/** A failed call as the client sees it: status code, details and trailing metadata. */
export type GrpcFailure = grpc.ServiceError;

export class InferenceClient {
  readonly #client: grpc.Client;

  constructor(address: string, credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure()) {
    this.#client = new loaded.inference.GRPCInferenceService(address, credentials);
  }

  call<T = any>(method: GrpcMethod, request: object, options: CallOptions = {}): Promise<T> {
    const metadata = new grpc.Metadata();
    if (options.key) metadata.set('authorization', `Bearer ${options.key}`);
    for (const [k, v] of Object.entries(options.metadata ?? {})) metadata.set(k, v);
    const callOptions: grpc.CallOptions = options.deadlineMs === undefined ? {} : { deadline: Date.now() + options.deadlineMs };
    return new Promise((resolve, reject) => {
      const fn = (this.#client as unknown as Record<string, Function>)[method]!.bind(this.#client);
      const call = fn(request, metadata, callOptions, (error: grpc.ServiceError | null, response: T) => (error ? reject(error) : resolve(response)));
      options.onCall?.(call);
    });
  }

  /** The failure of a call that must fail. */
  async failure(method: GrpcMethod, request: object, options: CallOptions = {}): Promise<GrpcFailure> {
    try {
      await this.call(method, request, options);
    } catch (error) {
      return error as GrpcFailure;
    }
    throw new Error(`${method} succeeded, a failure was expected`);
  }

  close(): void {
    this.#client.close();
  }
}

export { grpc };
