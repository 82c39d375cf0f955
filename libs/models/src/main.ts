import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod/v4';
import { defaultModelCache, MODEL_NAMES, writeModelRepository } from './write-model-repository.js';

const USAGE = `usage: infermesh-models [DIR] [--out DIR] [--models ${MODEL_NAMES.join(',')}] [--mlp-dims 64,256,256,16] [--seed 42] [--force]
Writes the demo model repository (${MODEL_NAMES.join(', ')}) into DIR. Default DIR: ${defaultModelCache()}`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      'mlp-dims': { type: 'string', default: '64,256,256,16' },
      seed: { type: 'string', default: '42' },
      force: { type: 'boolean', default: false },
      models: { type: 'string', default: MODEL_NAMES.join(',') },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (positionals.length > 1 || (positionals.length === 1 && values.out !== undefined)) {
    throw new Error('give the repository folder once: as DIR or as --out DIR');
  }
  const mlpDims = values['mlp-dims'].split(',').map((d) => Number(d.trim()));
  const seed = Number(values.seed);
  // `npm run -w` runs in the package folder; a relative folder means the caller's folder (INIT_CWD).
  const out = resolve(process.env.INIT_CWD ?? process.cwd(), positionals[0] ?? values.out ?? defaultModelCache());
  const models = z.array(z.enum(MODEL_NAMES)).parse(values.models.split(',').map((m) => m.trim()));
  const results = await writeModelRepository({ out, mlpDims, seed, force: values.force, models });
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
