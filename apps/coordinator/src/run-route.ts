import type { InferItem } from '@infermesh/contracts';
import type { Lane, Served, SubmitOptions } from './lane.js';
import type { Route } from './lanes.js';

/** A request's answer and who computed it: the model worker, and the processors when disaggregated. */
export interface Computed extends Served {
  processors: string[];
  /** Every worker connection that had a hand in it (the model worker's, the processors'). */
  connections: string[];
}

/**
 * Runs one request through its route. Co-located: one lane does everything. Disaggregated: the
 * pre-processing lane, the model lane, the post-processing lane, each batched on its own under the
 * one deadline; an item that fails a stage fails with that stage's error, as it would co-located.
 */
/** One stage of a request in its lane; the request's trace leaves the batching stage however it ends. */
async function submitTo(lane: Lane, item: InferItem, options: SubmitOptions): Promise<Served> {
  try {
    return await lane.submit(item, options);
  } finally {
    options.trace?.settled();
  }
}

export async function runRoute(route: Route, item: InferItem, options: SubmitOptions): Promise<Computed> {
  if (!route.preprocess && !route.postprocess) {
    // Co-located, the common case: one lane, the item as it came (no copy).
    const served = await submitTo(route.model, item, options);
    return { ...served, processors: [], connections: [served.connection] };
  }
  const stage = (lane: Lane, inputs: InferItem['inputs'], outputs: string[]): Promise<Served> => submitTo(lane, { ...item, inputs, outputs }, options);
  const answer = item.outputs.length > 0 ? item.outputs : route.spec.outputs.map((o) => o.name);
  const processors: string[] = [];
  const connections: string[] = [];
  let inputs = item.inputs;
  if (route.preprocess) {
    const pre = await stage(route.preprocess, inputs, []);
    processors.push(pre.workerId);
    connections.push(pre.connection);
    if (!pre.result.ok) return { ...pre, processors, connections };
    inputs = pre.result.outputs;
  }
  const model = await stage(route.model, inputs, route.postprocess ? [] : answer);
  connections.push(model.connection);
  if (!model.result.ok || !route.postprocess) return { ...model, processors, connections };
  const post = await stage(route.postprocess, model.result.outputs, answer);
  processors.push(post.workerId);
  connections.push(post.connection);
  return { result: post.result, workerId: model.workerId, connection: model.connection, processors, connections };
}
