import { jsModelRepository } from '../js-model-repository.js';

/** A repository with `echo`, a test-only JS model (FP32 [-1, 4] in and out) whose `model.mjs` is `source`. */
const echoRepository = (prefix: string, source: string): string =>
  jsModelRepository({ prefix, name: 'echo', source, manifest: ['batching: {maxDelayMs: 0}'] });

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
