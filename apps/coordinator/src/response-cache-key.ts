import { createHash } from 'node:crypto';
import type { InferItem, ModelSpec } from '@infermesh/contracts';

/** Request parameters that change how a request is served, never what it answers. */
const NOT_OUTPUT_CHANGING = new Set(['timeout_ms', 'priority', 'cache', 'trace']);

/**
 * A stable key for a response: model and version, every input's name, datatype, shape and bytes
 * (in name order), the parameters that may change the answer (sorted) and the requested outputs.
 * Two requests get the same key exactly when a deterministic model must give them the same answer.
 */
export function responseCacheKey(spec: ModelSpec, item: Pick<InferItem, 'inputs' | 'parameters' | 'outputs'>): string {
  const hash = createHash('sha256');
  const field = (s: string): void => {
    hash.update(String(s.length));
    hash.update(':');
    hash.update(s);
  };
  field(spec.name);
  field(spec.version);
  for (const name of Object.keys(item.inputs).sort()) {
    const t = item.inputs[name]!;
    field(name);
    field(t.datatype);
    field(t.shape.join(','));
    if (Array.isArray(t.data)) field(JSON.stringify(t.data));
    else {
      const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      field(String(bytes.length));
      hash.update(bytes);
    }
  }
  const params = Object.entries(item.parameters)
    .filter(([k]) => !NOT_OUTPUT_CHANGING.has(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  field(JSON.stringify(params));
  field(JSON.stringify([...item.outputs].sort()));
  return `${spec.name}:${spec.version}:${hash.digest('base64url')}`;
}
