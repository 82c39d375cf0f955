import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MANIFEST = [
  'name: echo',
  'platform: js',
  'file: model.mjs',
  'inputs:',
  '  - {name: input, datatype: FP32, shape: [-1, 4]}',
  'outputs:',
  '  - {name: output, datatype: FP32, shape: [-1, 4]}',
  'batching: {maxDelayMs: 0}',
  '',
].join('\n');

/** A repository with `echo`, a test-only JS model (FP32 [-1, 4] in and out) whose `run` is `body`. */
function echoRepository(prefix: string, body: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, 'echo', '1'), { recursive: true });
  writeFileSync(join(dir, 'echo', 'manifest.yaml'), MANIFEST);
  writeFileSync(join(dir, 'echo', '1', 'model.mjs'), body);
  return dir;
}

/** `echo` as it should be: the input back. */
export const honestEchoRepository = (): string => echoRepository('im-e2e-echo-', 'export async function run(inputs) {\n  return { output: inputs.input };\n}\n');

/**
 * `echo` as a faulty (or hostile) worker runs it, under the same declaration: while `switchFile` does not
 * exist it answers well-formed but wrong values (the input negated), which a contract check cannot see;
 * once it exists, an output of the wrong shape ([rows, 3]), which breaks the declared outputs.
 */
export const faultyEchoRepository = (switchFile: string): string =>
  echoRepository('im-e2e-faulty-echo-', [
    "import { existsSync } from 'node:fs';",
    'export async function run(inputs) {',
    '  const t = inputs.input;',
    '  const rows = t.shape[0];',
    `  if (existsSync(${JSON.stringify(switchFile)})) return { output: { datatype: 'FP32', shape: [rows, 3], data: new Float32Array(rows * 3) } };`,
    "  return { output: { datatype: 'FP32', shape: t.shape, data: Float32Array.from(t.data, (v) => -v) } };",
    '}',
    '',
  ].join('\n'));
