import { ApiError, type InferItem, type ModelSpec, type Tensor, type TensorMap, type TensorSpec } from '@infermesh/contracts';
import type { ModelRegistry } from '@infermesh/registry';
import { toApiError, toApiErrorOfItem } from './api-error.js';
import type { SubmitOptions } from './lane.js';
import type { LaneTable } from './lanes.js';
import { runRoute, type Computed } from './run-route.js';

/** An empty tensor of a declared spec: no rows, every other unknown dimension 0. */
function empty(spec: TensorSpec): Tensor {
  const shape = spec.shape.map((d, i) => (i === 0 || d < 0 ? 0 : d));
  return spec.datatype === 'BYTES'
    ? { datatype: 'BYTES', shape, data: [] }
    : ({ datatype: spec.datatype, shape, data: new Float32Array(0) } as Tensor);
}

/**
 * A pipeline model's request (Triton's ensemble): its stages run in order, each on the route of its
 * own model (its lanes, batched and balanced on their own, co-located or disaggregated as that model
 * is placed), all under the request's one deadline. A stage reads pipeline tensors by name and adds
 * its outputs under theirs; its rows are its first input's rows (five text lines: five rows in the
 * recognizer's batch). A stage whose inputs hold no rows is skipped, its outputs empty.
 */
export class PipelineRunner {
  readonly #registry: ModelRegistry;
  readonly #lanes: LaneTable;

  constructor(registry: ModelRegistry, lanes: LaneTable) {
    this.#registry = registry;
    this.#lanes = lanes;
  }

  /** The stage models of a pipeline, each resolved now (a stage without a version: its latest). */
  stageSpecs(spec: ModelSpec): ModelSpec[] {
    try {
      return spec.pipeline.map((s) => this.#registry.get(s.model, s.version));
    } catch (error) {
      throw toApiError(error);
    }
  }

  /** Whether every stage model can be served now. */
  servable(spec: ModelSpec): boolean {
    return spec.pipeline.every((s) => this.#registry.has(s.model, s.version) && this.#lanes.servable(this.#registry.get(s.model, s.version)));
  }

  async run(spec: ModelSpec, item: InferItem, options: SubmitOptions): Promise<Computed> {
    const tensors: TensorMap = { ...item.inputs };
    const workers: string[] = [];
    const processors: string[] = [];
    const connections: string[] = [];
    const stages = this.stageSpecs(spec);
    for (const [i, stage] of spec.pipeline.entries()) {
      const stageSpec = stages[i]!;
      const inputs: TensorMap = {};
      for (const [name, from] of Object.entries(stage.inputs)) {
        const t = tensors[from];
        if (!t) throw new ApiError('IM_INTERNAL', `pipeline '${spec.name}' stage ${i + 1} ('${stage.model}') reads '${from}', which no earlier stage made`);
        inputs[name] = t;
      }
      const rows = Object.values(inputs)[0]?.shape[0] ?? 1;
      const wanted = Object.keys(stage.outputs);
      let outputs: TensorMap;
      if (rows === 0) {
        outputs = Object.fromEntries(stageSpec.outputs.filter((o) => wanted.includes(o.name)).map((o) => [o.name, empty(o)]));
      } else {
        const route = this.#lanes.resolve(stageSpec, '');
        const served = await runRoute(route, { id: `${item.id}/${i + 1}`, inputs, parameters: {}, outputs: wanted }, { ...options, rows, coalesceKey: undefined });
        workers.push(served.workerId);
        processors.push(...served.processors);
        connections.push(...served.connections);
        if (!served.result.ok) throw toApiErrorOfItem(served.result.error);
        outputs = served.result.outputs;
      }
      for (const [name, to] of Object.entries(stage.outputs)) {
        const t = outputs[name];
        if (!t) throw new ApiError('IM_INTERNAL', `pipeline '${spec.name}' stage ${i + 1} ('${stage.model}') answered no '${name}'`);
        tensors[to] = t;
      }
    }
    const answer = item.outputs.length > 0 ? item.outputs : spec.outputs.map((o) => o.name);
    const outputs: TensorMap = {};
    for (const name of answer) {
      const t = tensors[name];
      if (!t) throw new ApiError('IM_INTERNAL', `pipeline '${spec.name}' made no output '${name}'`);
      outputs[name] = t;
    }
    return {
      result: { ok: true, outputs },
      workerId: workers.join(','),
      connection: connections[0] ?? '',
      processors,
      connections,
    };
  }
}
