import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkManifest, readManifest, type Manifest } from './manifest-check.js';

const workspaceRoot = join(import.meta.dirname, '..', '..', '..');
const license = readFileSync(join(workspaceRoot, 'LICENSE'), 'utf8');

const complete: Manifest = {
  name: '@infermesh/router',
  version: '0.1.0',
  license: 'MIT',
  keywords: ['infermesh', 'sharding', 'hashing'],
  homepage: 'https://github.com/infermesh/infermesh/tree/main/libs/router#readme',
  bugs: { url: 'https://github.com/infermesh/infermesh/issues' },
  repository: { type: 'git', url: 'git+https://github.com/infermesh/infermesh.git', directory: 'libs/router' },
  author: 'The infermesh authors',
  publishConfig: { access: 'public' },
  files: ['dist', 'README.md', 'LICENSE'],
  dependencies: { '@infermesh/contracts': '^0.1.0', 'xxhash-wasm': '1.1.0' },
};

describe('checkManifest', () => {
  it('accepts a complete manifest', () => {
    expect(checkManifest('libs/router', complete, '0.1.0', license, license)).toEqual([]);
  });

  it('names each missing or wrong field', () => {
    const bare: Manifest = { name: '@infermesh/router', version: '0.1.0', license: 'MIT', files: ['dist'], dependencies: { '@infermesh/contracts': '0.1.0' } };
    expect(checkManifest('libs/router', bare, '0.1.0', license, undefined)).toEqual([
      'libs/router: keywords: give at least three',
      'libs/router: homepage: an https URL',
      'libs/router: bugs.url: an https URL',
      'libs/router: author or contributors is missing',
      'libs/router: repository: { type: "git", url: "git+https://…" }',
      'libs/router: repository.directory must be "libs/router"',
      'libs/router: publishConfig.access must be "public" (scoped packages are private by default)',
      'libs/router: files must list LICENSE',
      'libs/router: LICENSE file is missing (copy the root LICENSE)',
      'libs/router: dependency @infermesh/contracts@0.1.0: internal dependencies use ^0.1.0, which nx release moves in step',
    ]);
  });

  it('catches a LICENSE copy that drifted and a version out of the fixed group', () => {
    expect(checkManifest('libs/router', complete, '0.2.0', license, 'ISC')).toEqual([
      'libs/router: LICENSE differs from the root LICENSE',
      'libs/router: version 0.1.0 is not the release group\'s 0.2.0',
      'libs/router: dependency @infermesh/contracts@^0.1.0: internal dependencies use ^0.2.0, which nx release moves in step',
    ]);
  });

  it('passes on every package of the workspace', () => {
    const version = readManifest(workspaceRoot, 'libs/contracts').version ?? '';
    for (const root of ['libs/router', 'libs/transport', 'apps/coordinator', 'apps/worker']) {
      const own = readFileSync(join(workspaceRoot, root, 'LICENSE'), 'utf8');
      expect(checkManifest(root, readManifest(workspaceRoot, root), version, license, own)).toEqual([]);
    }
  });
});
