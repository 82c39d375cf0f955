/**
 * `nx run release:release-check` (part of `npm test`): every package of the release group has complete
 * npm metadata and its LICENSE, every package its public `.d.ts` files import is declared, then `nx release patch --dry-run` versions, writes the changelog and tags
 * without touching a file, so a broken release configuration fails CI instead of release day.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkManifest, readManifest } from './manifest-check.js';
import { undeclaredTypePackages } from './type-imports.js';

const workspaceRoot = join(import.meta.dirname, '..', '..', '..');
const license = readFileSync(join(workspaceRoot, 'LICENSE'), 'utf8');
const version = readManifest(workspaceRoot, 'libs/contracts').version ?? '';

// The release group: nx.json `release.projects` selects every `type:lib` and `type:app` project, which are
// the folders under libs/ and apps/, less the private ones (libs/foundation, `type:internal`: bundled into
// each library at build time, never published).
const roots = ['libs', 'apps']
  .flatMap((dir) => readdirSync(join(workspaceRoot, dir)).map((name) => `${dir}/${name}`))
  .filter((root) => (JSON.parse(readFileSync(join(workspaceRoot, root, 'package.json'), 'utf8')) as { private?: boolean }).private !== true);
const problems = roots.flatMap((root) => {
  const licensePath = join(workspaceRoot, root, 'LICENSE');
  const own = existsSync(licensePath) ? readFileSync(licensePath, 'utf8') : undefined;
  return checkManifest(root, readManifest(workspaceRoot, root), version, license, own);
});

// Every package a public declaration file imports must come with the package (dependency or peer), or a
// consumer's `tsc` with `skipLibCheck: false` fails (TS7016, TS2307). Nx builds the libraries first.
function findPackageJson(from: string, pkg: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', pkg, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
function hasOwnTypes(libRoot: string, pkg: string): boolean {
  const file = findPackageJson(libRoot, pkg);
  if (file === undefined) return false;
  const text = readFileSync(file, 'utf8');
  const manifest = JSON.parse(text) as { types?: string; typings?: string };
  return manifest.types !== undefined || manifest.typings !== undefined || /"types"\s*:/.test(text) ||
    existsSync(join(dirname(file), 'index.d.ts'));
}
for (const root of roots.filter((r) => r.startsWith('libs/'))) {
  const libRoot = join(workspaceRoot, root);
  const manifest = JSON.parse(readFileSync(join(libRoot, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  const declared = { ...manifest.dependencies, ...manifest.peerDependencies };
  for (const file of ['dist/index.d.ts', 'dist/index.d.cts']) {
    const path = join(libRoot, file);
    if (!existsSync(path)) {
      problems.push(`${root}: ${file} is missing (run through Nx, which builds the libraries first)`);
      continue;
    }
    for (const pkg of undeclaredTypePackages(readFileSync(path, 'utf8'), declared, (p) => hasOwnTypes(libRoot, p))) {
      problems.push(`${root}: ${file} imports types from ${pkg}, which is neither a dependency nor a peer dependency`);
    }
  }
}

for (const problem of problems) console.error(problem);
console.log(`release-check: ${roots.length} packages, ${problems.length} problem(s) in metadata and declared type imports`);
if (problems.length > 0) process.exit(1);

const dryRun = spawnSync(
  'npx',
  ['nx', 'release', 'patch', '--dry-run', '--skip-publish', '--first-release', '--verbose=false'],
  { cwd: workspaceRoot, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' } },
);
const out = `${dryRun.stdout}${dryRun.stderr}`;
const bumped = out.match(/New version \S+ written to manifest/g)?.length ?? 0;
const changelog = /Previewing an entry in CHANGELOG\.md/.test(out);
if (dryRun.status !== 0 || bumped !== roots.length || !changelog) {
  console.error(out);
  console.error(`release-check: nx release dry run failed (exit ${dryRun.status}, ${bumped}/${roots.length} versions, changelog ${changelog})`);
  process.exit(1);
}
console.log(`release-check: nx release patch --dry-run versioned ${bumped} packages, previewed CHANGELOG.md and a v-tag`);
