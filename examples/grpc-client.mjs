// A gRPC client of the infermesh coordinator that uses nothing of infermesh but its .proto: @grpc/grpc-js
// and @grpc/proto-loader on the Open Inference Protocol's inference.GRPCInferenceService.
// Run `npm start` first, then: node examples/grpc-client.mjs [HOST:PORT] (default 127.0.0.1:9001).
// With API keys on, set INFERMESH_API_KEY.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const target = process.argv[2] ?? '127.0.0.1:9001';
// The .proto ships in @infermesh/contracts, beside its package.json.
const proto = join(dirname(createRequire(import.meta.url).resolve('@infermesh/contracts/package.json')), 'proto', 'grpc_service.proto');
const { inference } = grpc.loadPackageDefinition(protoLoader.loadSync(proto, { keepCase: true, longs: Number, defaults: true }));
const client = new inference.GRPCInferenceService(target, grpc.credentials.createInsecure());

function call(method, request) {
  const metadata = new grpc.Metadata();
  if (process.env.INFERMESH_API_KEY) metadata.set('authorization', `Bearer ${process.env.INFERMESH_API_KEY}`);
  return new Promise((resolve, reject) =>
    // The call's deadline is the request's deadline on the coordinator.
    client[method](request, metadata, { deadline: Date.now() + 5_000 }, (error, answer) =>
      error ? reject(new Error(`${method}: ${grpc.status[error.code]} ${error.details}`)) : resolve(answer)));
}

console.log('live', (await call('ServerLive', {})).live, '| ready', (await call('ServerReady', {})).ready);

// 1. Text in, labels out: BYTES as typed contents, the answer as typed contents too.
const texts = ['I love this, what a wonderful day', 'This is terrible and I hate it', 'The table is brown'];
const sentiment = await call('ModelInfer', {
  model_name: 'sentiment',
  inputs: [{ name: 'text', datatype: 'BYTES', shape: [texts.length], contents: { bytes_contents: texts.map((t) => Buffer.from(t)) } }],
  outputs: [{ name: 'label' }],
});
const labels = sentiment.outputs[0].contents.bytes_contents.map((b) => b.toString());
texts.forEach((t, i) => console.log(`sentiment  ${labels[i].padEnd(8)}  "${t}"`));

// 2. A tensor in raw contents: two MLP rows (64 FP32 features each, little-endian), 16 outputs per row back raw.
const rows = 2;
const input = Float32Array.from({ length: rows * 64 }, (_, i) => Math.sin(i));
const mlp = await call('ModelInfer', {
  model_name: 'mlp',
  inputs: [{ name: 'input', datatype: 'FP32', shape: [rows, 64] }],
  raw_input_contents: [Buffer.from(input.buffer)],
});
const raw = mlp.raw_output_contents[0];
const output = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
console.log(`mlp        shape [${mlp.outputs[0].shape}], row 0: ${Array.from(output.slice(0, 4), (x) => x.toFixed(4)).join(' ')} ...`);
console.log(`           answered by ${mlp.parameters.infermesh_worker.string_param}`);

// 3. An error: the gRPC status, the IM_* code in the message.
await call('ModelMetadata', { name: 'no-such-model' }).catch((error) => console.log(`error      ${error.message}`));
client.close();
