import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importsOf, scanProject } from './import-scan.js';

describe('importsOf', () => {
  it('finds every kind of specifier with its line, and nothing in comments or strings', () => {
    const text = [
      "import { a } from 'static';",
      "import type { B } from '@infermesh/types/src/b.js';",
      "export * from './local.js';",
      '// import "commented";',
      "const s = \"import 'in-a-string'\";",
      "const d = await import('dynamic');",
      "const r = require('required');",
      "import 'side-effect';",
    ].join('\n');
    expect(importsOf(text)).toEqual([
      { specifier: 'static', line: 1 },
      { specifier: '@infermesh/types/src/b.js', line: 2 },
      { specifier: './local.js', line: 3 },
      { specifier: 'dynamic', line: 6 },
      { specifier: 'required', line: 7 },
      { specifier: 'side-effect', line: 8 },
    ]);
  });
});

describe('scanProject', () => {
  let root: string;
  const write = async (path: string, text: string) => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'boundaries-scan-'));
    await write('libs/a/src/index.ts', "export { x } from './x.js';\n");
    await write('libs/a/src/x.ts', "\nimport { y } from '@infermesh/b/src/y.js';\nexport const x = y;\n");
    await write('libs/a/vitest.config.mts', "import { defineConfig } from 'vitest/config';\n");
    await write('libs/a/README.md', "import 'not-code';\n");
    await write('libs/a/dist/index.js', "import 'built';\n");
    await write('libs/a/node_modules/dep/index.js', "import 'dependency';\n");
    await write('libs/a/nested/src/index.ts', "import 'nested-project';\n");
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('scans source files only, skipping build output, dependencies and nested projects', async () => {
    const found = await scanProject(root, 'libs/a', new Set([join(root, 'libs/a/nested')]));
    expect(found).toEqual([
      { file: 'libs/a/src/index.ts', line: 1, specifier: './x.js' },
      { file: 'libs/a/src/x.ts', line: 2, specifier: '@infermesh/b/src/y.js' },
      { file: 'libs/a/vitest.config.mts', line: 1, specifier: 'vitest/config' },
    ]);
  });
});
