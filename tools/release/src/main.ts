/**
 * `nx run release:release-check` (part of `npm test`): every package of the release group has complete
 * npm metadata and its LICENSE, then `nx release patch --dry-run` versions, writes the changelog and tags
 * without touching a file, so a broken release configuration fails CI instead of release day.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkManifest, readManifest } from './manifest-check.js';

const workspaceRoot = join(import.meta.dirname, '..', '..', '..');
const license = readFileSync(join(workspaceRoot, 'LICENSE'), 'utf8');
const version = readManifest(workspaceRoot, 'libs/contracts').version ?? '';

// The release group: nx.json `release.projects` selects every `type:lib` and `type:app` project, which are
// the folders under libs/ and apps/.
const roots = ['libs', 'apps'].flatMap((dir) =>
  readdirSync(join(workspaceRoot, dir)).map((name) => `${dir}/${name}`),
);
const problems = roots.flatMap((root) => {
  const licensePath = join(workspaceRoot, root, 'LICENSE');
  const own = existsSync(licensePath) ? readFileSync(licensePath, 'utf8') : undefined;
  return checkManifest(root, readManifest(workspaceRoot, root), version, license, own);
});
for (const problem of problems) console.error(problem);
console.log(`release-check: ${roots.length} packages, ${problems.length} metadata problem(s)`);
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
