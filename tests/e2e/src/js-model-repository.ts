import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface JsModelRepositoryOptions {
  /** Temporary folder prefix. */
  prefix: string;
  /** The test model's name. */
  name: string;
  /** The source of its `model.mjs` (exports `run(inputs)`). */
  source: string;
  /** Manifest lines after the FP32 [-1, 4] in/out declaration (batching, say). */
  manifest?: string[];
  /** A repository to copy in first (the demo models, say). */
  base?: string;
}

/** A repository holding a test-only JS model (FP32 [-1, 4] in and out) whose `model.mjs` is `source`. */
export function jsModelRepository(o: JsModelRepositoryOptions): string {
  const dir = mkdtempSync(join(tmpdir(), o.prefix));
  if (o.base !== undefined) cpSync(o.base, dir, { recursive: true });
  mkdirSync(join(dir, o.name, '1'), { recursive: true });
  writeFileSync(join(dir, o.name, 'manifest.yaml'), [
    `name: ${o.name}`,
    'platform: js',
    'file: model.mjs',
    'inputs:',
    '  - {name: input, datatype: FP32, shape: [-1, 4]}',
    'outputs:',
    '  - {name: output, datatype: FP32, shape: [-1, 4]}',
    ...(o.manifest ?? []),
    '',
  ].join('\n'));
  writeFileSync(join(dir, o.name, '1', 'model.mjs'), o.source);
  return dir;
}
