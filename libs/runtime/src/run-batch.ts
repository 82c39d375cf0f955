import { padRows } from '@infermesh/batcher';
import type { Tensor, TensorMap } from '@infermesh/contracts';
import { concatBatch, splitBatch } from './batch-tensors.js';
import { BadInputError, ShapeMismatchError } from './errors.js';
import type { LoadedModel, RunOptions } from './model-runtime.js';

/**
 * How items whose inputs differ in shape (beyond the rows) share a batch: `buckets` runs the model once
 * per distinct shape; `pad-last-axis` pads FP32 inputs that differ only in their last axis with zeros
 * to the widest and runs them together (text lines of different widths), each item then receiving its
 * rows of the padded output: a post-processing step cuts them back with the widths it was handed.
 */
export type DynamicShapes = 'buckets' | 'pad-last-axis';

/**
 * Runs many requests as one: stacks each named input across items, runs the model once, and cuts
 * every output back into one part per item. Each item may hold several rows (its first dimension,
 * the same for all its inputs); every output must have one row per input row. A single item is run
 * unchanged. Items of different shapes are grouped (`dynamic`) and each group runs once.
 */
export async function runBatch(
  model: LoadedModel, items: readonly TensorMap[], options?: RunOptions, dynamic: DynamicShapes = 'buckets',
): Promise<TensorMap[]> {
  if (items.length <= 1) return runStacked(model, items, options);
  // Every item has the same input names and agrees with itself on its rows, whatever group it lands in.
  const names = Object.keys(items[0] as TensorMap).sort();
  if (names.length === 0) throw new BadInputError('runBatch: item 0 has no inputs');
  items.forEach((item, i) => itemRows(item, i, names));
  const groups = new Map<string, number[]>();
  items.forEach((item, i) => {
    // A lookup key only: the datatypes and dimensions after the rows (the last one too, unless padded).
    const key = Object.keys(item).sort().map((name) => {
      const t = item[name] as Tensor;
      const kept = dynamic === 'pad-last-axis' && t.datatype === 'FP32' ? t.shape.slice(1, -1) : t.shape.slice(1);
      return `${name}:${t.datatype}:${kept.join('x')}`;
    }).join('|');
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  });
  if (groups.size === 1 && dynamic === 'buckets') return runStacked(model, items, options);
  const results: TensorMap[] = new Array(items.length);
  for (const indices of groups.values()) {
    const group = indices.map((i) => items[i] as TensorMap);
    const outputs = await runStacked(model, dynamic === 'pad-last-axis' ? padLastAxis(group) : group, options);
    indices.forEach((i, k) => { results[i] = outputs[k] as TensorMap; });
  }
  return results;
}

/** The items with every FP32 input padded with zeros along its last axis to the widest of the group. */
function padLastAxis(items: readonly TensorMap[]): TensorMap[] {
  const first = items[0] as TensorMap;
  const out = items.map((item) => ({ ...item }));
  for (const [name, t] of Object.entries(first)) {
    if (t.datatype !== 'FP32' || t.shape.length < 2) continue;
    const widths = items.map((item) => (item[name] as Tensor).shape.at(-1) as number);
    const widest = Math.max(...widths);
    if (widths.every((w) => w === widest)) continue;
    items.forEach((item, k) => {
      const own = item[name] as Tensor;
      const width = widths[k] as number;
      if (width === widest || !(own.data instanceof Float32Array)) return;
      const outer = own.data.length / Math.max(1, width);
      const padded = padRows([{ data: own.data, width }], outer, widest);
      (out[k] as TensorMap)[name] = { datatype: 'FP32', shape: [...own.shape.slice(0, -1), widest], data: padded.data };
    });
  }
  return out;
}

async function runStacked(model: LoadedModel, items: readonly TensorMap[], options?: RunOptions): Promise<TensorMap[]> {
  const first = items[0];
  if (!first) return [];
  const names = Object.keys(first).sort();
  if (names.length === 0) throw new BadInputError('runBatch: item 0 has no inputs');
  // One item runs as it is: nothing is stacked, so its inputs need not agree on a first dimension (a model
  // that does not batch, with inputs [2, 2] and [3], as in the protocol's own example).
  if (items.length === 1) return [await model.run(first, options)];
  const rows = items.map((item, i) => itemRows(item, i, names));

  const batch: TensorMap = {};
  for (const name of names) batch[name] = concatBatch(items.map((item) => item[name] as Tensor));
  const outputs = await model.run(batch, options);

  const results: TensorMap[] = items.map(() => ({}));
  for (const [name, tensor] of Object.entries(outputs)) {
    splitOutput(name, tensor, rows).forEach((part, i) => {
      (results[i] as TensorMap)[name] = part;
    });
  }
  return results;
}

function itemRows(item: TensorMap, index: number, names: readonly string[]): number {
  const keys = Object.keys(item).sort();
  if (keys.length !== names.length || keys.some((k, i) => k !== names[i])) {
    throw new BadInputError(`runBatch: item ${index} has inputs [${keys.join(', ')}], item 0 has [${names.join(', ')}]`);
  }
  let rows: number | undefined;
  for (const name of names) {
    const r = (item[name] as Tensor).shape[0];
    if (r === undefined || r < 1) {
      throw new ShapeMismatchError(`runBatch: item ${index} input "${name}" needs a first dimension ≥ 1`);
    }
    if (rows !== undefined && r !== rows) {
      throw new ShapeMismatchError(`runBatch: item ${index} inputs disagree on their number of rows (${rows} vs ${r})`);
    }
    rows = r;
  }
  return rows as number;
}

function splitOutput(name: string, tensor: Tensor, rows: readonly number[]): Tensor[] {
  const total = rows.reduce((a, b) => a + b, 0);
  if (tensor.shape[0] !== total) {
    throw new ShapeMismatchError(`runBatch: output "${name}" has ${tensor.shape[0] ?? 0} rows for ${total} input rows`);
  }
  return splitBatch(tensor, rows);
}
