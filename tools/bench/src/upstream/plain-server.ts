import { createServer, type Server } from 'node:http';
import { ApiError, errorBody } from '@infermesh/contracts';
import * as ort from 'onnxruntime-node';

/** The part of an ONNX Runtime session the plain server uses (`ort.InferenceSession`). */
export interface PlainSession {
  readonly inputNames: readonly string[];
  run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>>;
}

interface V2Input {
  name: string;
  shape: number[];
  data: number[];
}

/**
 * The server a user would write instead of the engine, as the baseline of the `plain-server` scenario:
 * node:http, JSON.parse of the KServe v2 body, one `session.run` per request (no batching, no queue, no
 * second process) and JSON.stringify of the protocol's answer. Deliberately naive: it is what the
 * engine must beat on one machine. A body that is not JSON answers 400 `IM_BAD_REQUEST`, one ONNX Runtime
 * refuses (shape, names) 400 `IM_INVALID_INPUT`, both with the protocol's error body.
 */
export function createPlainServer(session: PlainSession, model: { name: string; version: string }): Server {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      let answer: string;
      try {
        const { inputs } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { inputs: V2Input[] };
        const feeds: Record<string, ort.Tensor> = {};
        for (const input of inputs) feeds[input.name] = new ort.Tensor('float32', Float32Array.from(input.data), input.shape);
        const results = await session.run(feeds);
        const outputs = Object.entries(results).map(([name, t]) => ({ name, datatype: 'FP32', shape: t.dims, data: Array.from(t.data as Float32Array) }));
        answer = JSON.stringify({ model_name: model.name, model_version: model.version, outputs });
      } catch (error) {
        // Not JSON: the body is malformed; anything else ONNX Runtime refused is a bad input.
        const code = error instanceof SyntaxError ? 'IM_BAD_REQUEST' : 'IM_INVALID_INPUT';
        const body = JSON.stringify(errorBody(new ApiError(code, error instanceof Error ? error.message : String(error), { cause: error })));
        res.writeHead(400, { 'content-type': 'application/json' }).end(body);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) }).end(answer);
    });
  });
  server.keepAliveTimeout = 60_000;
  return server;
}
