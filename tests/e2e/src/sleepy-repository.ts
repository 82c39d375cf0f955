import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoRepository } from './fixtures.js';

/**
 * A copy of the demo repository plus `sleepy`, a test-only JS model that answers its input after
 * `sleepMs`: work that outlives a short deadline without loading the machine.
 */
export async function sleepyRepository(sleepMs: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'im-e2e-sleepy-'));
  cpSync(await demoRepository(), dir, { recursive: true });
  mkdirSync(join(dir, 'sleepy', '1'), { recursive: true });
  writeFileSync(join(dir, 'sleepy', 'manifest.yaml'), [
    'name: sleepy',
    'platform: js',
    'file: model.mjs',
    'inputs:',
    '  - {name: input, datatype: FP32, shape: [-1, 4]}',
    'outputs:',
    '  - {name: output, datatype: FP32, shape: [-1, 4]}',
    'batchable: false',
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'sleepy', '1', 'model.mjs'),
    `export async function run(inputs) {\n  await new Promise((r) => setTimeout(r, ${sleepMs}));\n  return { output: inputs.input };\n}\n`);
  return dir;
}
