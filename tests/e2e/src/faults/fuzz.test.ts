import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_ERRORS, type ApiErrorCode } from '@infermesh/contracts';
import { APP_ENTRY, spawnApp, type Cluster, type ManagedProcess } from '@infermesh/launcher';
import { decodeFrame, encodeFrame, type Frame } from '@infermesh/transport';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { demoCluster, demoRepository, http, workerChannelHeaders, type HttpAnswer } from '../fixtures.js';
import { mlpInput } from '../references.js';
import { echoFrame, FakeWorker, type FakeReply, type InferCall } from './fake-worker.js';
import { recordFigures } from './figures.js';

/**
 * Property-based fuzzing of every surface a stranger or a faulty worker reaches: the HTTP infer body
 * (JSON), the binary tensor data extension, WebSocket API frames, a worker's replies on the worker
 * channel (a fake worker that holds the token), and frames sent to a worker's own listener. Each run
 * draws a new seed, printed first; replay one with INFERMESH_FUZZ_SEED=<seed>.
 */
const SEED = Number(process.env['INFERMESH_FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = { httpJson: 1_000, binary: 800, wsFrames: 1_500, workerReplies: 300, workerFrames: 600 };

/** 5xx a client may get because a worker failed (contracts' worker-fault codes), or because its own deadline passed. */
const WORKER_FAULT_CODES = new Set<ApiErrorCode>(['IM_WORKER_FAILED', 'IM_NO_WORKER', 'IM_TIMEOUT']);

let cluster: Cluster;
let listening: ManagedProcess;
let listeningPort: Promise<number>;
let fake: FakeWorker;
const figures: Record<string, Record<string, number>> = {};
const count = (surface: string, key: string): void => {
  const t = (figures[surface] ??= {});
  t[key] = (t[key] ?? 0) + 1;
};

beforeAll(async () => {
  process.stdout.write(`fuzz seed ${SEED} (replay: INFERMESH_FUZZ_SEED=${SEED})\n`);
  // Failures of the fake worker must not eject it for long: each case should reach it.
  const config = join(tmpdir(), `im-fuzz-${process.pid}.yaml`);
  writeFileSync(config, 'coordinator:\n  balancer:\n    outlier: {consecutiveFailures: 1000000}\n');
  cluster = await demoCluster({ workers: 1, configFile: config, coordinatorArgs: ['--body-limit', String(256 * 1024), '--worker-quarantine-ms', '0'] });
  listening = spawnApp({
    name: 'listening-worker', entry: APP_ENTRY.worker,
    args: ['--id', 'listening', '--port', '0', '--repository', await demoRepository(), '--model', 'noop', '--secret-file', cluster.tokenFile!],
  });
  // Registered now: the line comes once, while the other surfaces are fuzzed.
  listeningPort = listening.waitFor('worker listening', { timeoutMs: 120_000 }).then((l) => Number(l.port));
}, 180_000);
afterAll(async () => {
  fake?.stop();
  await listening?.stop();
  await cluster?.stop();
  recordFigures('fuzz', { seed: SEED, runs: RUNS, answers: figures });
});

/** The protocol's error body with a documented code whose status is the answer's; a 5xx only for a worker fault. */
function expectCoded(res: HttpAnswer, what: string): void {
  const code = res.body?.code as ApiErrorCode;
  const spec = API_ERRORS[code];
  expect(spec, `${res.status} ${JSON.stringify(res.body)?.slice(0, 300)} for ${what}`).toBeDefined();
  expect(res.status).toBe(spec.http);
  expect(typeof res.body.error).toBe('string');
  if (res.status >= 500) expect(WORKER_FAULT_CODES.has(code), `${code} for ${what}`).toBe(true);
}

async function stillServes(): Promise<void> {
  expect((await http(cluster, '/v2/health/ready')).status).toBe(200);
  const res = await http(cluster, '/v2/models/mlp/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: mlpInput(1, 5) }] } });
  expect(res.status).toBe(200);
  expect(cluster.coordinator.child.exitCode).toBeNull();
}

const MODELS = {
  mlp: { input: 'input', datatype: 'FP32', width: 64 },
  noop: { input: 'input', datatype: 'FP32', width: 4 },
  sentiment: { input: 'text', datatype: 'BYTES', width: 0 },
} as const;
type ModelName = keyof typeof MODELS;

const sometimes = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
const element = fc.oneof(
  fc.double(), fc.integer(), fc.bigInt().map(String), fc.boolean(), fc.constant(null), fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom(1e39, -1e39, 'NaN', 'Infinity', '-Infinity', 2 ** 53, -(2 ** 63), '\uD800', '\uDFFFx', 0.5, -0),
);

/** A valid request for a model with some of its parts replaced, plus whether it set its own (possibly tiny) deadline. */
const mutatedRequest = (model: ModelName) =>
  fc
    .record({
      rows: fc.integer({ min: 1, max: 3 }),
      name: sometimes(fc.constantFrom('input', 'text', 'x', '', '__proto__')),
      datatype: sometimes(fc.constantFrom('FP32', 'FP16', 'FP64', 'INT8', 'UINT8', 'INT64', 'UINT64', 'BYTES', 'BOOL', 'fp32', 'X')),
      shape: sometimes(fc.array(fc.oneof(fc.integer({ min: -2, max: 70 }), fc.constant(1e12), fc.string({ maxLength: 2 })), { maxLength: 4 })),
      data: sometimes(fc.oneof(fc.array(element, { maxLength: 130 }), fc.string({ maxLength: 20 }), fc.dictionary(fc.string({ maxLength: 3 }), element, { maxKeys: 3 }))),
      poke: sometimes(fc.tuple(fc.nat(), element)),
      parameters: sometimes(fc.dictionary(fc.constantFrom('timeout_ms', 'routing_key', 'binary_data_output', 'x'), fc.oneof(fc.integer({ min: -5, max: 60_000 }), fc.string(), fc.boolean(), fc.double()), { maxKeys: 2 })),
      outputs: sometimes(fc.array(fc.record({ name: fc.constantFrom('output', 'label', 'probabilities', 'nope', ''), parameters: sometimes(fc.record({ binary_data: fc.boolean() })) }), { maxLength: 2 })),
    })
    .map((m) => {
      const spec = MODELS[model];
      const data: unknown[] = spec.datatype === 'BYTES'
        ? Array.from({ length: m.rows }, (_, i) => `text ${i}`)
        : Array.from({ length: m.rows * spec.width }, (_, i) => (i % 7) / 7);
      if (m.poke) data[m.poke[0] % data.length] = m.poke[1];
      const input: Record<string, unknown> = {
        name: m.name ?? spec.input, datatype: m.datatype ?? spec.datatype, shape: m.shape ?? (spec.width ? [m.rows, spec.width] : [m.rows]), data: m.data ?? data,
      };
      const request = { inputs: [input], ...(m.parameters ? { parameters: m.parameters } : {}), ...(m.outputs ? { outputs: m.outputs } : {}) };
      return { request, ownDeadline: m.parameters !== null && 'timeout_ms' in m.parameters };
    });

const anyModel = fc.constantFrom<ModelName>('mlp', 'noop', 'sentiment');

describe('fuzzing (seed printed above)', () => {
  it(`HTTP JSON bodies: ${RUNS.httpJson} cases, each a 200 or the protocol's coded error, never an undocumented 5xx`, async () => {
    const body = anyModel.chain((model) =>
      fc.oneof(
        { weight: 4, arbitrary: mutatedRequest(model).map((r) => ({ model, text: JSON.stringify(r.request), ownDeadline: r.ownDeadline })) },
        { weight: 1, arbitrary: fc.json({ maxDepth: 3 }).map((text) => ({ model, text, ownDeadline: false })) },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }).map((b) => ({ model, text: Buffer.from(b).toString('latin1'), ownDeadline: false })) },
      ));
    await fc.assert(
      fc.asyncProperty(body, async ({ model, text, ownDeadline }) => {
        const res = await http(cluster, `/v2/models/${model}/infer`, { method: 'POST', body: text, signal: AbortSignal.timeout(10_000) });
        count('httpJson', res.status === 200 ? '200' : `${res.status} ${res.body?.code}`);
        if (res.status === 200) {
          // An answer asked for as binary tensor data is a JSON header and raw bytes, not JSON.
          if (typeof res.body === 'string') return void expect(Number(res.headers.get('inference-header-content-length'))).toBeGreaterThan(0);
          return void expect(res.body.model_name).toBe(model);
        }
        expectCoded(res, text.slice(0, 200));
        if (res.body.code === 'IM_TIMEOUT') expect(ownDeadline).toBe(true);
      }),
      { numRuns: RUNS.httpJson, seed: SEED },
    );
    expect(figures['httpJson']?.['200'] ?? 0).toBeGreaterThan(RUNS.httpJson / 20);
    await stillServes();
  });

  it(`binary tensor data: ${RUNS.binary} bodies with fuzzed header lengths, sizes and bytes, each answered with a code`, async () => {
    const binary = fc.record({
      model: fc.constantFrom<ModelName>('noop', 'sentiment'),
      rows: fc.integer({ min: 1, max: 3 }),
      datatype: sometimes(fc.constantFrom('FP32', 'BYTES', 'BOOL', 'INT64', 'FP16')),
      size: sometimes(fc.oneof(fc.integer({ min: -4, max: 100 }), fc.constant('16'), fc.constant(1e15), fc.double())),
      headerDelta: sometimes(fc.integer({ min: -20, max: 20 })),
      headerLength: sometimes(fc.constantFrom('abc', '-1', '', '99999999999999', '1e3')),
      bytes: sometimes(fc.uint8Array({ maxLength: 80 })),
      both: fc.boolean(),
    }).map((b) => {
      const spec = MODELS[b.model];
      let raw: Uint8Array;
      if (spec.datatype === 'BYTES') {
        const parts = Array.from({ length: b.rows }, (_, i) => new TextEncoder().encode(`line ${i}`));
        raw = new Uint8Array(parts.reduce((n, p) => n + 4 + p.length, 0));
        let at = 0;
        for (const p of parts) {
          new DataView(raw.buffer).setUint32(at, p.length, true);
          raw.set(p, at + 4);
          at += 4 + p.length;
        }
      } else {
        raw = new Uint8Array(new Float32Array(b.rows * spec.width).fill(0.5).buffer);
      }
      if (b.bytes) raw = b.bytes;
      const shape = spec.width ? [b.rows, spec.width] : [b.rows];
      const input = { name: spec.input, datatype: b.datatype ?? spec.datatype, shape, parameters: { binary_data_size: b.size ?? raw.length }, ...(b.both ? { data: [1] } : {}) };
      const header = new TextEncoder().encode(JSON.stringify({ inputs: [input] }));
      const length = b.headerLength ?? String(header.length + (b.headerDelta ?? 0));
      return { model: b.model, body: new Uint8Array([...header, ...raw]), length };
    });
    await fc.assert(
      fc.asyncProperty(binary, async ({ model, body, length }) => {
        const res = await http(cluster, `/v2/models/${model}/infer`, { method: 'POST', body, headers: { 'inference-header-content-length': length }, signal: AbortSignal.timeout(10_000) });
        count('binary', res.status === 200 ? '200' : `${res.status} ${res.body?.code}`);
        if (res.status !== 200) expectCoded(res, `binary ${model} length ${length}`);
      }),
      { numRuns: RUNS.binary, seed: SEED + 1 },
    );
    expect(figures['binary']?.['200'] ?? 0).toBeGreaterThan(0);
    await stillServes();
  });

  it(`WebSocket API: ${RUNS.wsFrames} frames pipelined, one answer each, every error frame coded; the connection keeps serving`, async () => {
    const frame = fc.oneof(
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => ({ data: Buffer.from(b) as Buffer | string, ownDeadline: false })) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }).map((s) => ({ data: s as Buffer | string, ownDeadline: false })) },
      { weight: 1, arbitrary: fc.json({ maxDepth: 3 }).map((s) => ({ data: s as Buffer | string, ownDeadline: false })) },
      {
        weight: 5,
        arbitrary: fc.record({ model: anyModel, id: fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.constant('dup'), fc.integer()), version: sometimes(fc.constantFrom('1', '2', 'x', '')) })
          .chain((f) => mutatedRequest(f.model).map((r) => ({
            data: JSON.stringify({ type: 'infer', id: f.id, model: f.model, ...(f.version !== null ? { version: f.version } : {}), request: r.request }) as Buffer | string,
            ownDeadline: r.ownDeadline,
          }))),
      },
    );
    const batches = 30;
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: RUNS.wsFrames / batches, maxLength: RUNS.wsFrames / batches }), async (frames) => {
        const ws = new WebSocket(cluster.wsUrl);
        await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
        const answers: Array<{ type: string; id?: string; code?: string; error?: string }> = [];
        ws.on('message', (raw) => answers.push(JSON.parse(String(raw))));
        for (const f of frames) ws.send(f.data);
        ws.send(JSON.stringify({ type: 'infer', id: 'probe', model: 'noop', request: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] } }));
        // Every frame gets exactly one answer (none of them is a cancel).
        await expect.poll(() => answers.length, { timeout: 20_000 }).toBe(frames.length + 1);
        ws.close();
        expect(answers.find((a) => a.id === 'probe')).toMatchObject({ type: 'result' });
        const anyOwnDeadline = frames.some((f) => f.ownDeadline);
        for (const a of answers) {
          count('wsFrames', a.type === 'result' ? 'result' : String(a.code));
          if (a.type === 'result') continue;
          expect(a.type).toBe('error');
          const spec = API_ERRORS[a.code as ApiErrorCode];
          expect(spec, JSON.stringify(a)).toBeDefined();
          expect(typeof a.error).toBe('string');
          if (spec.http >= 500) expect(a.code === 'IM_TIMEOUT' && anyOwnDeadline, JSON.stringify(a)).toBe(true);
        }
      }),
      { numRuns: batches, seed: SEED + 2 },
    );
    await stillServes();
  });

  it(`worker channel: a fake worker holding the token answers ${RUNS.workerReplies} calls with broken frames and outputs; clients get 200 or a coded worker fault`, async () => {
    const spec = { name: 'fakey', version: '1', platform: 'js', inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }], outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, 4] }], batching: { maxDelayMs: 0 }, deterministic: false };
    fake = new FakeWorker({ url: `ws://${cluster.workerAddress}`, headers: workerChannelHeaders(cluster), workerId: 'fake-1', models: [spec] });
    await expect.poll(async () => (await http(cluster, '/v2/models/fakey/ready')).status, { timeout: 20_000 }).toBe(200);
    const items = (id: number, request: InferCall, outputs: (rows: number) => Record<string, unknown>): Frame => ({
      type: 'result', id, payload: { computeMs: 0, items: request.items.map((item) => ({ ok: true, outputs: outputs(item.inputs['input']?.shape[0] ?? 1) })) },
    });
    const reply: fc.Arbitrary<FakeReply> = fc.oneof(
      fc.constant<FakeReply>({ kind: 'frame', frame: echoFrame }),
      fc.uint8Array({ maxLength: 64 }).map((bytes): FakeReply => ({ kind: 'bytes', bytes })),
      fc.string({ maxLength: 32 }).map((text): FakeReply => ({ kind: 'text', text })),
      fc.json({ maxDepth: 3 }).map((j): FakeReply => ({ kind: 'frame', frame: (id) => ({ type: 'result', id, payload: JSON.parse(j) }) })),
      fc.integer({ min: 1, max: 1_000 }).map((d): FakeReply => ({ kind: 'frame', frame: (id, r) => ({ ...echoFrame(id, r), id: id + d }) as Frame })),
      fc.record({ code: fc.option(fc.constantFrom('IM_WORKER_BUSY', 'IM_WORKER_RUNTIME', 'IM_WORKER_BAD_INPUT', 'IM_WORKER_MODEL_NOT_LOADED', 'IM_INTERNAL', 'nonsense', ''), { nil: undefined }), message: fc.string({ maxLength: 40 }), kind: fc.constantFrom('remote', 'invalid-message', 'method-not-found') })
        .map(({ code, message, kind }): FakeReply => ({ kind: 'frame', frame: (id) => ({ type: 'error', id, kind, message, ...(code !== undefined ? { code } : {}) }) as Frame })),
      fc.record({ rows: fc.integer({ min: 0, max: 5 }), width: fc.integer({ min: 0, max: 6 }), name: fc.constantFrom('output', 'other'), extra: fc.boolean(), datatype: fc.constantFrom('FP32', 'INT32', 'FP64') })
        .map((o): FakeReply => ({ kind: 'frame', frame: (id, r) => items(id, r, () => {
          const ctor = o.datatype === 'INT32' ? Int32Array : o.datatype === 'FP64' ? Float64Array : Float32Array;
          const t = { datatype: o.datatype, shape: [o.rows, o.width], data: new ctor(o.rows * o.width) };
          return { [o.name]: t, ...(o.extra ? { leaked: t } : {}) };
        }) })),
      fc.constant<FakeReply>({ kind: 'frame', frame: (id) => ({ type: 'result', id, payload: { computeMs: 0, items: [] } }) }),
      fc.constant<FakeReply>({ kind: 'frame', frame: (id, r) => ({ type: 'result', id, payload: { computeMs: -1, items: r.items.map((item) => ({ ok: false, error: { code: 'IM_WORKER_RUNTIME', message: 'x'.repeat(100) }, id: item.id })) } }) }),
      fc.constant<FakeReply>({ kind: 'silence' }),
    );
    await fc.assert(
      fc.asyncProperty(reply, fc.integer({ min: 1, max: 3 }), async (r, rows) => {
        fake.replies.length = 0;
        fake.replies.push(r);
        // Wait (briefly) for the fake to be back in rotation after a reply that got it dropped.
        for (let i = 0; i < 100 && (await http(cluster, '/v2/models/fakey/ready')).status !== 200; i++) await new Promise((s) => setTimeout(s, 10));
        const data = Array.from({ length: rows * 4 }, (_, i) => i);
        const res = await http(cluster, '/v2/models/fakey/infer', {
          json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [rows, 4], data }] }, headers: { 'x-request-timeout-ms': '250' }, signal: AbortSignal.timeout(10_000),
        });
        count('workerReplies', res.status === 200 ? '200' : `${res.status} ${res.body?.code}`);
        if (res.status === 200) {
          // Whatever reached the client keeps the declaration. A wrong answer that keeps it (the right name, type and
          // shape, other numbers) cannot be told from a right one by any check (docs/design.md): it may reach the client.
          expect(res.body.outputs).toHaveLength(1);
          const [out] = res.body.outputs as Array<{ name: string; datatype: string; shape: number[]; data: number[] }>;
          expect({ name: out!.name, datatype: out!.datatype, shape: out!.shape, length: out!.data.length }).toEqual({ name: 'output', datatype: 'FP32', shape: [rows, 4], length: rows * 4 });
          // An honest answer reaches the client unchanged.
          if (r.kind === 'frame' && r.frame === echoFrame) expect(out!.data).toEqual(data);
          return;
        }
        expectCoded(res, JSON.stringify(r).slice(0, 200));
      }),
      { numRuns: RUNS.workerReplies, seed: SEED + 3 },
    );
    expect(fake.connections).toBeGreaterThan(1);
    expect(figures['workerReplies']?.['200'] ?? 0).toBeGreaterThan(0);
    fake.replies.length = 0;
    // Back to serving once the fake is in rotation again (a late reply of the storm may still drop it once).
    await expect
      .poll(async () => (await http(cluster, '/v2/models/fakey/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] } })).status, { timeout: 20_000, interval: 100 })
      .toBe(200);
    await stillServes();
  });

  it(`frames to a worker's listener: ${RUNS.workerFrames} malformed frames from a token holder; each refused in kind, the worker keeps serving`, async () => {
    const port = await listeningPort;
    const url = `ws://127.0.0.1:${port}`;
    let ws: WebSocket | undefined;
    const replies: Frame[] = [];
    const closeCodes: number[] = [];
    const connect = async (): Promise<WebSocket> => {
      if (ws?.readyState === WebSocket.OPEN) return ws;
      const next = new WebSocket(url, { headers: workerChannelHeaders(cluster) });
      next.on('error', () => undefined);
      next.on('message', (data: Buffer) => {
        const decoded = decodeFrame(new Uint8Array(data));
        expect(decoded.ok, 'the worker answers with frames the protocol defines').toBe(true);
        if (decoded.ok) replies.push(decoded.frame);
      });
      next.on('close', (code) => closeCodes.push(code));
      await new Promise((resolve, reject) => next.once('open', resolve).once('unexpected-response', reject));
      ws = next;
      return next;
    };
    const tensor = fc.record({ rows: fc.integer({ min: 0, max: 3 }), width: fc.integer({ min: 0, max: 5 }), kind: fc.constantFrom('f32', 'i64', 'strings', 'json') })
      .map((t) => ({
        datatype: t.kind === 'f32' ? 'FP32' : t.kind === 'i64' ? 'INT64' : 'BYTES',
        shape: [t.rows, t.width],
        data: t.kind === 'f32' ? new Float32Array(t.rows * t.width) : t.kind === 'i64' ? new BigInt64Array(t.rows * t.width) : t.kind === 'strings' ? Array(t.rows * t.width).fill('x') : [1, 2],
      }));
    const payload = fc.oneof(
      fc.json({ maxDepth: 3 }).map((j) => JSON.parse(j) as unknown),
      fc.record({
        model: fc.constantFrom('noop', 'mlp', 'nope'), version: fc.constantFrom('1', '2', 'x'), stage: fc.constantFrom('all', 'model', 'preprocess', 'bogus'),
        items: fc.array(fc.record({ id: fc.string({ maxLength: 4 }), inputs: fc.dictionary(fc.constantFrom('input', 'x'), tensor, { maxKeys: 2 }), outputs: fc.array(fc.constantFrom('output', 'y'), { maxLength: 2 }) }), { maxLength: 3 }),
      }),
    );
    const frame = fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((b) => b as Uint8Array | string),
      fc.string({ maxLength: 32 }).map((s) => s as Uint8Array | string),
      fc.record({ method: fc.constantFrom('infer', 'describe', 'drain', 'nope', ''), id: fc.oneof(fc.nat(), fc.integer({ min: -5, max: -1 }), fc.constant(1.5)), payload })
        .map((c) => {
          try {
            return encodeFrame({ type: 'call', ...c } as Frame) as Uint8Array | string;
          } catch {
            return new Uint8Array([0xc1]) as Uint8Array | string;
          }
        }),
      fc.record({ type: fc.constantFrom('result', 'error', 'cancel'), id: fc.nat() }).map((f) => encodeFrame({ ...f, payload: null, kind: 'remote', message: '' } as Frame) as Uint8Array | string),
    );
    await fc.assert(
      fc.asyncProperty(frame, async (f) => {
        const socket = await connect();
        socket.send(f);
        count('workerFrames', typeof f === 'string' ? 'text' : 'binary');
        // A well-formed call behind it: its answer (or the socket's close) says the frame was dealt with.
        const id = 1_000_000 + replies.length + closeCodes.length;
        socket.send(encodeFrame({ type: 'call', id, method: 'describe', payload: {} }));
        await new Promise<void>((resolve) => {
          const done = (): void => {
            clearInterval(timer);
            resolve();
          };
          const timer = setInterval(() => {
            if (socket.readyState !== WebSocket.OPEN || replies.some((r) => r.id === id)) done();
          }, 1);
        });
      }),
      { numRuns: RUNS.workerFrames, seed: SEED + 4 },
    );
    // The last frames' answers, then a well-formed call on a fresh connection: the worker still serves.
    await new Promise((r) => setTimeout(r, 300));
    ws?.close();
    ws = undefined;
    for (const code of closeCodes) expect([1000, 1002, 1003, 1005, 1007, 1008, 1009]).toContain(code);
    for (const r of replies) {
      if (r.type !== 'error') continue;
      count('workerFrames', `error ${r.kind} ${r.code ?? ''}`);
      if (r.code !== undefined) expect(r.code).toMatch(/^IM_[A-Z_]+$/);
    }
    const socket = await connect();
    const before = replies.length;
    socket.send(encodeFrame({ type: 'call', id: 424242, method: 'infer', payload: { model: 'noop', version: '1', items: [{ id: 'a', inputs: { input: { datatype: 'FP32', shape: [1, 4], data: new Float32Array([1, 2, 3, 4]) } } }] } }));
    await expect.poll(() => replies.length, { timeout: 10_000 }).toBeGreaterThan(before);
    expect(replies.at(-1)).toMatchObject({ type: 'result', id: 424242, payload: { items: [{ ok: true }] } });
    socket.close();
    expect(listening.child.exitCode).toBeNull();
    await stillServes();
  });
});
