import * as ort from 'onnxruntime-node';
import { OnnxRuntimeOptionsSchema } from '@infermesh/runtime';
import { inFlightLoop } from './in-flight-loop.js';
import type { LoadResult } from './load-result.js';

/** An ONNX Runtime session of one FP32 model with one input, as the bench runs it alone. */
export interface RuntimeModel {
  readonly session: Pick<ort.InferenceSession, 'run' | 'release'>;
  readonly inputName: string;
  /** Values per row (the input's last dimension). */
  readonly width: number;
}

/**
 * The model file in ONNX Runtime with the session options a worker uses by default
 * (`OnnxRuntimeOptionsSchema`'s defaults: one intra-op thread), so what it measures is the runtime a
 * worker runs, without the engine around it. The row width is the input's last dimension, as the model
 * declares it.
 */
export async function openRuntimeModel(file: string): Promise<RuntimeModel> {
  const session = await ort.InferenceSession.create(file, { executionProviders: ['cpu'], ...OnnxRuntimeOptionsSchema.parse({}) });
  const [input, ...others] = session.inputMetadata;
  const width = input?.isTensor ? input.shape.at(-1) : undefined;
  if (input === undefined || others.length > 0 || typeof width !== 'number' || width < 1) {
    await session.release();
    throw new Error(`${file}: the runtime loop runs models of one tensor input with a fixed last dimension`);
  }
  return { session, inputName: input.name, width };
}

export interface RuntimeLoopOptions {
  /** Rows per `session.run`. */
  batch: number;
  /** Distinct input rows (`width` values each), taken in turn, `batch` per run. */
  rows: readonly (readonly number[])[];
  durationS: number;
}

/**
 * The runtime alone in a closed loop: one caller, `batch` rows per `session.run`, the next run started
 * when the last one answers, inputs taken in turn from `rows` (prepared as tensors before the clock
 * starts). The result counts rows: `rps` is rows per second and `ok` rows run; latency is per run.
 * Comparing batch sizes gives what batching gains the runtime itself, apart from any engine.
 */
export async function runRuntimeLoop(model: RuntimeModel, options: RuntimeLoopOptions): Promise<LoadResult> {
  const { batch, rows } = options;
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`batch must be an integer >= 1, got ${batch}`);
  if (rows.length < batch) throw new RangeError(`${rows.length} rows cannot fill a batch of ${batch}`);
  for (const row of rows) if (row.length !== model.width) throw new RangeError(`a row has ${row.length} values, the model takes ${model.width}`);
  const batches = Array.from({ length: Math.floor(rows.length / batch) }, (_, b) => {
    const data = Float32Array.from(rows.slice(b * batch, (b + 1) * batch).flat());
    return { [model.inputName]: new ort.Tensor('float32', data, [batch, model.width]) };
  });
  let turn = 0;
  const result = await inFlightLoop({
    concurrency: 1,
    durationS: options.durationS,
    once: async () => {
      await model.session.run(batches[turn++ % batches.length] as Record<string, ort.Tensor>);
      return true;
    },
  });
  return { ...result, rps: result.rps * batch, ok: result.ok * batch };
}
