import { createRequire } from 'node:module';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand, type CommandResult } from './run-command.js';

/**
 * The scratch project's strict type check of the installed packages: one `.mts` file (ESM: the `import`
 * condition, `.d.ts`) and one `.cts` file (CommonJS: the `require` condition, `.d.cts`) importing every
 * library, compiled by `tsc --strict --skipLibCheck false --noEmit` with `module: nodenext`, as a consumer
 * with the strictest common settings would. Every type the packages' declarations reach must resolve.
 */
export async function checkInstalledTypes(workspaceRoot: string, scratchDir: string, names: readonly string[]): Promise<CommandResult> {
  const body = names
    .map((name, i) => `import * as p${i} from '${name}';\nexport const k${i}: readonly string[] = Object.keys(p${i});`)
    .join('\n');
  await writeFile(join(scratchDir, 'types-esm.mts'), `${body}\n`);
  await writeFile(join(scratchDir, 'types-cjs.cts'), `${body}\n`);
  await writeFile(
    join(scratchDir, 'tsconfig.json'),
    `${JSON.stringify({
      compilerOptions: {
        module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, skipLibCheck: false,
        noEmit: true, types: ['node'], exactOptionalPropertyTypes: false,
      },
      files: ['types-esm.mts', 'types-cjs.cts'],
    }, null, 2)}\n`,
  );
  const tsc = createRequire(join(workspaceRoot, 'package.json')).resolve('typescript/bin/tsc');
  return runCommand(process.execPath, [tsc, '-p', 'tsconfig.json', '--strict', '--skipLibCheck', 'false', '--noEmit'], { cwd: scratchDir });
}
