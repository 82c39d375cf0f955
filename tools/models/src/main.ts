import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeModelRepository } from './write-model-repository.js';

const USAGE = `usage: build-models [--out DIR] [--mlp-dims 64,256,256,16] [--seed 42] [--force]
Writes the demo model repository (sentiment, mlp, noop). Default DIR: <repo root>/.infermesh/models`;

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: join(repoRoot, '.infermesh', 'models') },
      'mlp-dims': { type: 'string', default: '64,256,256,16' },
      seed: { type: 'string', default: '42' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const mlpDims = values['mlp-dims'].split(',').map((d) => Number(d.trim()));
  const seed = Number(values.seed);
  // `npm run -w` runs in the package folder; a relative --out means the caller's folder (INIT_CWD).
  const out = resolve(process.env.INIT_CWD ?? process.cwd(), values.out);
  const results = await writeModelRepository({ out, mlpDims, seed, force: values.force });
  for (const r of results) {
    if (r.status === 'skipped') {
      console.log(`${r.name}: already present, skipped (--force to rewrite)`);
      continue;
    }
    console.log(`${r.name}: wrote`);
    for (const f of r.files) console.log(`  ${f} (${(await stat(f)).size} bytes)`);
  }
  console.log(`model repository: ${out}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(USAGE);
  process.exitCode = 1;
});
