import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTO_FILE, runGrpcLoad, type RawInput } from './grpc-loop.js';

// A real gRPC server on the shipped .proto whose ModelInfer answers the sum of the raw FP32 input as one
// raw FP32 output, or fails with NOT_FOUND for another model: the loop's calls go over a real HTTP/2 socket.
interface Seen { model: string; datatype: string; shape: number[]; bytes: number }
const seen: Seen[] = [];
let server: grpc.Server;
let address: string;

beforeAll(async () => {
  const definition = protoLoader.loadSync(PROTO_FILE, { keepCase: true, longs: Number, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { inference: { GRPCInferenceService: { service: grpc.ServiceDefinition } } };
  server = new grpc.Server();
  server.addService(pkg.inference.GRPCInferenceService.service, {
    ModelInfer: (call: grpc.ServerUnaryCall<any, any>, done: grpc.sendUnaryData<any>) => {
      const { model_name, inputs, raw_input_contents } = call.request;
      if (model_name !== 'sum') return done({ code: grpc.status.NOT_FOUND, details: `no model ${model_name}` });
      const raw = raw_input_contents[0] as Buffer;
      seen.push({ model: model_name, datatype: inputs[0].datatype, shape: inputs[0].shape, bytes: raw.length });
      let sum = 0;
      for (let i = 0; i < raw.length; i += 4) sum += raw.readFloatLE(i);
      const out = Buffer.alloc(4);
      out.writeFloatLE(sum);
      done(null, { model_name, outputs: [{ name: 'sum', datatype: 'FP32', shape: [1] }], raw_output_contents: [out] });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  address = `127.0.0.1:${port}`;
});
afterAll(() => server?.forceShutdown());

const inputs: RawInput[] = [1, 2, 3].map((v) => {
  const bytes = Buffer.alloc(8);
  bytes.writeFloatLE(v, 0);
  bytes.writeFloatLE(v, 4);
  return { name: 'x', datatype: 'FP32', shape: [1, 2], bytes };
});

describe('runGrpcLoad', () => {
  it('keeps N ModelInfer calls with raw contents in flight and counts the answers of the expected size', async () => {
    seen.length = 0;
    let answers = 0;
    const result = await runGrpcLoad({ address, model: 'sum', inputs, outputBytes: 4, concurrency: 4, durationS: 0.3, onAnswer: () => (answers += 1) });
    expect(result.errors).toBe(0);
    expect(result.ok).toBeGreaterThanOrEqual(4);
    expect(result.ok).toBe(answers);
    expect(result.latency.count).toBe(result.ok);
    expect(seen[0]).toEqual({ model: 'sum', datatype: 'FP32', shape: [1, 2], bytes: 8 });
    // Every successful call reached the server once, with its raw bytes.
    expect(seen.length).toBe(result.ok);
  });

  it('counts a refused call and an answer of the wrong size as failures', async () => {
    const refused = await runGrpcLoad({ address, model: 'nope', inputs, outputBytes: 4, concurrency: 2, durationS: 0.2 });
    expect(refused.ok).toBe(0);
    expect(refused.errors).toBeGreaterThan(0);
    const wrongSize = await runGrpcLoad({ address, model: 'sum', inputs, outputBytes: 64, concurrency: 2, durationS: 0.2 });
    expect(wrongSize.ok).toBe(0);
    expect(wrongSize.errors).toBeGreaterThan(0);
  });
});
