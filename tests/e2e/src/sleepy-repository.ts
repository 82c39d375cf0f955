import { demoRepository } from './fixtures.js';
import { jsModelRepository } from './js-model-repository.js';

/**
 * A copy of the demo repository plus `sleepy`, a test-only JS model that answers its input after
 * `sleepMs`: work that outlives a short deadline without loading the machine.
 */
export async function sleepyRepository(sleepMs: number): Promise<string> {
  return jsModelRepository({
    prefix: 'im-e2e-sleepy-',
    name: 'sleepy',
    base: await demoRepository(),
    manifest: ['batchable: false'],
    source: `export async function run(inputs) {\n  await new Promise((r) => setTimeout(r, ${sleepMs}));\n  return { output: inputs.input };\n}\n`,
  });
}
