import type { Cluster } from '@infermesh/launcher';
import { runAutocannon } from '../load/autocannon-run.js';
import type { HttpBody } from '../load/http-load.js';
import { InferenceGrpcClient, runGrpcLoad, type RawInput } from '../load/grpc-loop.js';
import type { LoadResult, OnAnswer } from '../load/load-result.js';
import { cpuPerAnswer } from '../load/process-cpu.js';
import { mlpBinaryBodies, mlpHttpBodies, mlpRowBytes } from '../payloads.js';
import { layoutCluster } from './baseline-models.js';
import { INFERMESH_LAYOUTS } from './infermesh-layouts.js';
import { BASELINE_MODELS, levelsFor, PROTOCOLS, SERIES, type BaselineModel, type BenchContext, type Protocol, type Scenario } from './scenario.js';

const SCENARIO = 'protocols';
/** Distinct inputs in one turn shared by every connection: no two requests in flight are the same. */
const DISTINCT_INPUTS = 1024;
/** Unrecorded load over each protocol before a model's steps (JIT, buffers, ONNX Runtime's first runs). */
const WARM_UP_S = 1;
const MODELS = Object.keys(BASELINE_MODELS) as BaselineModel[];
const PROTOCOL_ORDER = Object.keys(PROTOCOLS) as Protocol[];
/** The cluster `npm start` runs: the embedded layout (the layouts table's first line), batching on, cache off. */
const LAYOUT = INFERMESH_LAYOUTS[0]!;
/** The MLP's one input, as every protocol names it. */
const INPUT = { name: 'input', datatype: 'FP32', shape: [1, 64] } as const;
/** How far two protocols' answers for the same input may differ (batches of different sizes round differently). */
const ANSWER_TOLERANCE = 1e-4;

/** The same 1024 inputs in each protocol's form, built once. */
interface Loads {
  json: string[];
  binary: HttpBody[];
  grpc: RawInput[];
}

function buildLoads(): Loads {
  return {
    json: mlpHttpBodies(DISTINCT_INPUTS),
    binary: mlpBinaryBodies(DISTINCT_INPUTS).map(({ body, headerLength }) => ({
      body,
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(headerLength) },
    })),
    grpc: Array.from({ length: DISTINCT_INPUTS }, (_, i) => ({ ...INPUT, shape: [...INPUT.shape], bytes: mlpRowBytes(i) })),
  };
}

interface Step {
  cluster: Cluster;
  outputBytes: number;
  connections: number;
  durationS: number;
  onAnswer?: OnAnswer;
}

function load(protocol: Protocol, loads: Loads, step: Step): Promise<LoadResult> {
  const common = { connections: step.connections, durationS: step.durationS, ...(step.onAnswer ? { onAnswer: step.onAnswer } : {}) };
  const url = `${step.cluster.url}/v2/models/mlp/infer`;
  switch (protocol) {
    case 'json':
      return runAutocannon({ url, bodies: loads.json, rotation: 'shared', ...common });
    case 'binary':
      return runAutocannon({ url, bodies: loads.binary, rotation: 'shared', ...common });
    case 'grpc':
      return runGrpcLoad({
        address: step.cluster.grpcAddress, model: 'mlp', inputs: loads.grpc, outputBytes: step.outputBytes,
        concurrency: step.connections, durationS: step.durationS, ...(step.onAnswer ? { onAnswer: step.onAnswer } : {}),
      });
  }
}

const fp32 = (bytes: Uint8Array): number[] => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
};

/**
 * One request per protocol on the first input, before any load: each answer must come in its protocol's
 * form (JSON data, the binary extension's raw output, gRPC raw contents) and all three must agree, so a
 * step measures the answer it claims to.
 */
async function checkAnswers(cluster: Cluster, loads: Loads, outputs: number): Promise<void> {
  const url = `${cluster.url}/v2/models/mlp/infer`;
  const jsonRes = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: loads.json[0] });
  if (!jsonRes.ok) throw new Error(`JSON HTTP probe: status ${jsonRes.status}: ${await jsonRes.text()}`);
  const json = ((await jsonRes.json()) as { outputs: Array<{ data: number[] }> }).outputs[0]?.data ?? [];

  const first = loads.binary[0]!;
  const binRes = await fetch(url, { method: 'POST', headers: first.headers, body: first.body });
  const body = new Uint8Array(await binRes.arrayBuffer());
  const headerLength = Number(binRes.headers.get('inference-header-content-length'));
  if (!binRes.ok || !Number.isInteger(headerLength) || headerLength <= 0) {
    throw new Error(`binary HTTP probe: status ${binRes.status}, Inference-Header-Content-Length ${binRes.headers.get('inference-header-content-length')}`);
  }
  const binHeader = JSON.parse(new TextDecoder().decode(body.subarray(0, headerLength))) as { outputs: Array<{ parameters?: { binary_data_size?: number } }> };
  if (binHeader.outputs[0]?.parameters?.binary_data_size !== outputs * 4 || body.length !== headerLength + outputs * 4) {
    throw new Error(`binary HTTP probe: the answer is not ${outputs} raw FP32 values: ${JSON.stringify(binHeader).slice(0, 200)}`);
  }
  const binary = fp32(body.subarray(headerLength));

  const client = new InferenceGrpcClient(cluster.grpcAddress);
  let grpc: number[];
  try {
    const answer = await client.modelInfer('mlp', loads.grpc[0]!);
    const raw = answer.raw_output_contents[0];
    if (!raw || raw.length !== outputs * 4) throw new Error(`gRPC probe: raw_output_contents[0] holds ${raw?.length} bytes, not ${outputs * 4}`);
    grpc = fp32(raw);
  } finally {
    client.close();
  }
  for (const [name, values] of [['binary HTTP', binary], ['gRPC', grpc]] as const) {
    const off = values.findIndex((v, i) => !(Math.abs(v - (json[i] ?? Number.NaN)) <= ANSWER_TOLERANCE * Math.max(1, Math.abs(v))));
    if (values.length !== json.length || off >= 0) throw new Error(`${name} answers [${values.slice(0, 3).join(', ')}…], JSON HTTP [${json.slice(0, 3).join(', ')}…] for the same input (first difference at ${off})`);
  }
}

/**
 * Issue #15's figures: the same MLP load (1024 distinct inputs in one shared turn, cache off) over JSON
 * HTTP, the binary tensor data extension and gRPC, on the cluster `npm start` runs, with the
 * coordinator's CPU per answer (the embedded layout: its worker threads, so the model's compute, included)
 * and its main thread's (the event loop, where the protocol is parsed and written). The protocols take
 * turns at each step, so their ratios compare neighbouring seconds.
 */
export const protocolsScenario: Scenario = {
  id: 'protocols',
  name: 'protocols: JSON HTTP, binary HTTP, gRPC',
  prepare: (ctx) => Promise.all(MODELS.map((m) => layoutCluster(ctx, m, LAYOUT))),
  async run(ctx: BenchContext) {
    const loads = buildLoads();
    for (const model of MODELS) {
      const cluster = await layoutCluster(ctx, model, LAYOUT);
      if (typeof cluster === 'string') {
        ctx.skip(`protocols: ${BASELINE_MODELS[model].label}`, cluster);
        continue;
      }
      const outputBytes = BASELINE_MODELS[model].dims.at(-1)! * 4;
      await checkAnswers(cluster, loads, outputBytes / 4);
      for (const protocol of PROTOCOL_ORDER) await load(protocol, loads, { cluster, outputBytes, connections: 16, durationS: WARM_UP_S });
      for (const connections of levelsFor(ctx, [1, 16, 64])) {
        for (const protocol of PROTOCOL_ORDER) {
          const tag = { model, protocol };
          await ctx.measure({ scenario: SCENARIO, series: SERIES.protocol(tag), connections, protocol: tag }, async (onAnswer) => {
            const pid = cluster.coordinator.child.pid;
            const { result, perAnswer } = await cpuPerAnswer({ coordinator: [pid], mainThread: [{ pid, thread: pid as number }] }, () =>
              load(protocol, loads, { cluster, outputBytes, connections, durationS: ctx.durationS, onAnswer }),
            );
            return perAnswer ? { ...result, cpuMsPerAnswer: perAnswer.coordinator, mainThreadCpuMsPerAnswer: perAnswer.mainThread } : result;
          });
        }
      }
    }
  },
};
