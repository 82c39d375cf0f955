import type { Tensor, TensorMap } from '@infermesh/contracts';
import { concatBatch, splitBatch } from './batch-tensors.js';
import { BadInputError, ShapeMismatchError } from './errors.js';
import type { LoadedModel, RunOptions } from './model-runtime.js';

/**
 * Runs many requests as one: stacks each named input across items, runs the model once, and cuts
 * every output back into one part per item. Each item may hold several rows (its first dimension,
 * the same for all its inputs); every output must have one row per input row. A single item is run
 * unchanged.
 */
export async function runBatch(model: LoadedModel, items: readonly TensorMap[], options?: RunOptions): Promise<TensorMap[]> {
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
