import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster } from '@infermesh/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRepository } from './fixtures.js';

// The Open Inference Protocol's published examples, sent byte for byte over a raw socket (no HTTP client in
// between to add or fix a header), with no content type and with each content type a client may send, and
// checked for the exact answer. `mymodel` is the model the examples assume: input0 UINT32 [2, 2], input1
// BOOL [3]; output0 FP32 [3, 2] (the examples' [1.0, 1.1, 2.0, 2.1, 3.0, 3.1]) and output1 UINT32 [2, 2]
// (input0 − 1). One worker, cache off: the answer's parameters are the same every time.

/** The KServe v2 protocol's inference request example (required_api.md, "Inference Request Examples"), verbatim. */
const KSERVE_REQUEST = `{
  "id" : "42",
  "inputs" : [
    {
      "name" : "input0",
      "shape" : [ 2, 2 ],
      "datatype" : "UINT32",
      "data" : [ 1, 2, 3, 4 ]
    },
    {
      "name" : "input1",
      "shape" : [ 3 ],
      "datatype" : "BOOL",
      "data" : [ true ]
    }
  ],
  "outputs" : [
    {
      "name" : "output0"
    }
  ]
}`;

/** Triton's binary tensor data extension example request header (extension_binary_data.md), verbatim; 19 bytes of tensors follow. */
const TRITON_BINARY_HEADER = `{
  "model_name" : "mymodel",
  "inputs" : [
    {
      "name" : "input0",
      "shape" : [ 2, 2 ],
      "datatype" : "UINT32",
      "parameters" : {
        "binary_data_size" : 16
      }
    },
    {
      "name" : "input1",
      "shape" : [ 3 ],
      "datatype" : "BOOL",
      "parameters" : {
        "binary_data_size" : 3
      }
    }
  ],
  "outputs" : [
    {
      "name" : "output0",
      "parameters" : {
        "binary_data" : true
      }
    }
  ]
}`;

const MODULE = `export function run(inputs) {
  const x = inputs.input0.data;
  return {
    output0: { datatype: 'FP32', shape: [3, 2], data: Float32Array.from([1.0, 1.1, 2.0, 2.1, 3.0, 3.1]) },
    output1: { datatype: 'UINT32', shape: [2, 2], data: Uint32Array.from(x, (v) => v - 1) },
  };
}
`;

async function examplesRepository(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'im-e2e-verbatim-'));
  cpSync(await demoRepository(), dir, { recursive: true });
  mkdirSync(join(dir, 'mymodel', '1'), { recursive: true });
  writeFileSync(join(dir, 'mymodel', 'manifest.yaml'), [
    'name: mymodel', 'platform: js', 'file: model.mjs', 'batchable: false',
    'inputs:', '  - {name: input0, datatype: UINT32, shape: [2, 2]}', '  - {name: input1, datatype: BOOL, shape: [3]}',
    'outputs:', '  - {name: output0, datatype: FP32, shape: [3, 2]}', '  - {name: output1, datatype: UINT32, shape: [2, 2]}', '',
  ].join('\n'));
  writeFileSync(join(dir, 'mymodel', '1', 'model.mjs'), MODULE);
  // The raw binary example's model: one input (16 bytes: FP32 [4]), two outputs [3, 1] FP32.
  mkdirSync(join(dir, 'rawmodel', '1'), { recursive: true });
  writeFileSync(join(dir, 'rawmodel', 'manifest.yaml'), [
    'name: rawmodel', 'platform: js', 'file: model.mjs', 'batchable: false',
    'inputs:', '  - {name: input, datatype: FP32, shape: [-1]}',
    'outputs:', '  - {name: output0, datatype: FP32, shape: [3, 1]}', '  - {name: output1, datatype: FP32, shape: [3, 1]}', '',
  ].join('\n'));
  writeFileSync(join(dir, 'rawmodel', '1', 'model.mjs'), `export function run(inputs) {
  const x = inputs.input.data;
  return {
    output0: { datatype: 'FP32', shape: [3, 1], data: Float32Array.from([x[0], x[1], x[2]]) },
    output1: { datatype: 'FP32', shape: [3, 1], data: Float32Array.from([x[0] * 2, x[1] * 2, x[2] * 2]) },
  };
}
`);
  return dir;
}

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Sends exactly these bytes and reads one HTTP/1.1 answer (by its Content-Length). */
function raw(cluster: Cluster, request: Buffer): Promise<RawAnswer> {
  const url = new URL(cluster.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(request));
    let received = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine, ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const length = Number(headers['content-length']);
      if (received.length - end - 4 < length) return;
      socket.destroy();
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, body: received.subarray(end + 4, end + 4 + length) });
    });
    socket.on('error', reject);
  });
}

/** The request as the example writes it: request line, its headers (lengths filled in), a blank line, the body. */
function request(headers: string[], body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(['POST /v2/models/mymodel/infer HTTP/1.1', 'Host: localhost:8000', ...headers, `Content-Length: ${body.length}`, '', ''].join('\r\n')), body]);
}

// None (Triton's Python client), the protocol's own, the binary extension's, and what curl -d and fetch send by default.
const CONTENT_TYPES = [undefined, 'application/json', 'application/octet-stream', 'application/x-www-form-urlencoded', 'text/plain;charset=UTF-8'] as const;
const typeHeader = (type: string | undefined): string[] => (type ? [`Content-Type: ${type}`] : []);
const OUTPUT0 = Float32Array.from([1.0, 1.1, 2.0, 2.1, 3.0, 3.1]);

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster({ repository: await examplesRepository(), workers: 1, coordinatorArgs: ['--cache', 'off'] });
});
afterAll(async () => {
  await cluster?.stop();
});

describe('the KServe v2 inference request example, verbatim', () => {
  it.each(CONTENT_TYPES)('is refused exactly, with content type %s: the example sends one BOOL for shape [3]', async (type) => {
    const answer = await raw(cluster, request(typeHeader(type), Buffer.from(KSERVE_REQUEST)));
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.body.toString()).toBe('{"error":"input \'input1\': data has 1 elements, shape [3] needs 3","code":"IM_INVALID_INPUT"}');
  });

  it.each(CONTENT_TYPES)('with its BOOL data completed, answers the example response exactly, with content type %s', async (type) => {
    const body = KSERVE_REQUEST.replace('"data" : [ true ]', '"data" : [ true, false, true ]');
    const answer = await raw(cluster, request(typeHeader(type), Buffer.from(body)));
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    // The example's id and output0 [3, 2] FP32 [1.0, 1.1, …] (FP32 values written exactly as their doubles).
    expect(answer.body.toString()).toBe(JSON.stringify({
      model_name: 'mymodel', model_version: '1', id: '42', parameters: { infermesh_worker: 'worker-1' },
      outputs: [{ name: 'output0', datatype: 'FP32', shape: [3, 2], data: Array.from(OUTPUT0) }],
    }));
  });
});

describe('Triton\'s binary tensor data example, verbatim', () => {
  const tensors = Buffer.concat([Buffer.from(Uint32Array.from([1, 2, 3, 4]).buffer), Buffer.from([1, 0, 1])]);

  it.each(CONTENT_TYPES)('answers the example response exactly, with content type %s', async (type) => {
    const header = Buffer.from(TRITON_BINARY_HEADER);
    const answer = await raw(cluster, request([...typeHeader(type), `Inference-Header-Content-Length: ${header.length}`], Buffer.concat([header, tensors])));
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/octet-stream');
    const expectedHeader = JSON.stringify({
      model_name: 'mymodel', model_version: '1', parameters: { infermesh_worker: 'worker-1' },
      outputs: [{ name: 'output0', datatype: 'FP32', shape: [3, 2], parameters: { binary_data_size: 24 } }],
    });
    expect(answer.headers['inference-header-content-length']).toBe(String(Buffer.byteLength(expectedHeader)));
    expect(answer.headers['content-length']).toBe(String(Buffer.byteLength(expectedHeader) + 24));
    expect(answer.body.equals(Buffer.concat([Buffer.from(expectedHeader), Buffer.from(OUTPUT0.buffer)]))).toBe(true);
  });

  it.each(CONTENT_TYPES)('takes the raw binary request (Inference-Header-Content-Length: 0, 16 bytes, no JSON) and answers every output as binary, with content type %s', async (type) => {
    const input = Float32Array.from([0.5, 1.5, 2.5, 3.5]);
    const body = Buffer.from(input.buffer);
    // The example's request, byte for byte, to a model of one input (its path names that model).
    const bytes = Buffer.concat([Buffer.from(['POST /v2/models/rawmodel/infer HTTP/1.1', 'Host: localhost:8000', ...typeHeader(type), 'Inference-Header-Content-Length: 0', 'Content-Length: 16', '', ''].join('\r\n')), body]);
    const answer = await raw(cluster, bytes);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/octet-stream');
    const expectedHeader = JSON.stringify({
      model_name: 'rawmodel', model_version: '1', parameters: { infermesh_worker: 'worker-1' },
      outputs: [
        { name: 'output0', datatype: 'FP32', shape: [3, 1], parameters: { binary_data_size: 12 } },
        { name: 'output1', datatype: 'FP32', shape: [3, 1], parameters: { binary_data_size: 12 } },
      ],
    });
    expect(answer.headers['inference-header-content-length']).toBe(String(expectedHeader.length));
    expect(answer.body.equals(Buffer.concat([Buffer.from(expectedHeader), Buffer.from(Float32Array.from([0.5, 1.5, 2.5, 1, 3, 5]).buffer)]))).toBe(true);
  });

  it('refuses a raw binary request to a model of two inputs with IM_INVALID_INPUT', async () => {
    const answer = await raw(cluster, request(['Inference-Header-Content-Length: 0'], Buffer.alloc(19)));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body.toString())).toEqual({
      error: "raw binary request (Inference-Header-Content-Length: 0): model 'mymodel' has 2 inputs; it needs a model of exactly one", code: 'IM_INVALID_INPUT',
    });
  });

  it('answers both outputs when none is named, output1 (input0 − 1) in JSON beside output0 in binary, with binary_data_output', async () => {
    const header = Buffer.from(JSON.stringify({
      inputs: [
        { name: 'input0', shape: [2, 2], datatype: 'UINT32', parameters: { binary_data_size: 16 } },
        { name: 'input1', shape: [3], datatype: 'BOOL', parameters: { binary_data_size: 3 } },
      ],
      outputs: [{ name: 'output0' }, { name: 'output1', parameters: { binary_data: false } }],
      parameters: { binary_data_output: true },
    }));
    const answer = await raw(cluster, request([`Inference-Header-Content-Length: ${header.length}`], Buffer.concat([header, tensors])));
    const length = Number(answer.headers['inference-header-content-length']);
    expect(JSON.parse(answer.body.subarray(0, length).toString()).outputs).toEqual([
      { name: 'output0', datatype: 'FP32', shape: [3, 2], parameters: { binary_data_size: 24 } },
      { name: 'output1', datatype: 'UINT32', shape: [2, 2], data: [0, 1, 2, 3] },
    ]);
    expect(answer.body.subarray(length).equals(Buffer.from(OUTPUT0.buffer))).toBe(true);
  });

  it('takes BYTES with the extension\'s 4-byte little-endian length prefixes, and answers them so', async () => {
    const texts = ['I love it', 'awful, just awful'];
    const bytes = Buffer.concat(texts.flatMap((t) => {
      const s = Buffer.from(t);
      const n = Buffer.alloc(4);
      n.writeUInt32LE(s.length);
      return [n, s];
    }));
    const header = Buffer.from(JSON.stringify({
      inputs: [{ name: 'text', shape: [2], datatype: 'BYTES', parameters: { binary_data_size: bytes.length } }],
      outputs: [{ name: 'label', parameters: { binary_data: true } }],
    }));
    const body = Buffer.concat([header, bytes]);
    const answer = await raw(cluster, Buffer.concat([
      Buffer.from(['POST /v2/models/sentiment/infer HTTP/1.1', 'Host: localhost:8000', `Inference-Header-Content-Length: ${header.length}`, `Content-Length: ${body.length}`, '', ''].join('\r\n')),
      body,
    ]));
    expect(answer.status).toBe(200);
    const length = Number(answer.headers['inference-header-content-length']);
    const expectedLabels = Buffer.concat(['positive', 'negative'].flatMap((l) => [Buffer.from([l.length, 0, 0, 0]), Buffer.from(l)]));
    expect(JSON.parse(answer.body.subarray(0, length).toString()).outputs).toEqual([
      { name: 'label', datatype: 'BYTES', shape: [2], parameters: { binary_data_size: expectedLabels.length } },
    ]);
    expect(answer.body.subarray(length).equals(expectedLabels)).toBe(true);
  });
});
