import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkApps } from './apps-check.js';
import { checkInstalledTypes } from './types-check.js';
import { compareExports, importPackage } from './import-check.js';
import { runAttw, runPublint } from './lint-tarball.js';
import { packLibraries, type PackedLibrary } from './pack.js';
import { renderDetails, renderTable, verdictOf, type LibraryReport } from './report.js';
import { mapLimit, runCommand } from './run-command.js';
import { installScratch, peerVersions } from './scratch-install.js';
import { discoverLibraries, findWorkspaceRoot } from './workspace.js';

const keep = process.argv.includes('--keep');
const cores = availableParallelism();
const t0 = performance.now();
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
const log = (line: string) => console.log(line);

const workspaceRoot = findWorkspaceRoot(import.meta.dirname);
const all = await discoverLibraries(workspaceRoot);
for (const skipped of all.filter((l) => l.private)) log(`skip ${skipped.name}: private, never published`);
const libraries = all.filter((l) => !l.private);
// The publishable apps (coordinator, worker) are packed and installed with the libraries, then started from their bins.
const apps = (await discoverLibraries(workspaceRoot, 'apps')).filter((a) => !a.private);
const appErrors: string[] = [];
if (libraries.length === 0) {
  log('no publishable library under libs/');
  process.exit(0);
}

const reports = new Map<string, LibraryReport>(
  libraries.map((l) => [l.name, { name: l.name, placeholder: l.placeholder, errors: [] }]),
);
const report = (name: string) => reports.get(name) as LibraryReport;

// Nx builds the libraries before this target (dependsOn in package.json); a missing dist means it did not.
const built = libraries.filter((l) => {
  if (existsSync(join(l.root, 'dist'))) return true;
  report(l.name).errors.push(`not built: ${l.root}/dist is missing (run through Nx: nx run packaging:packaging)`);
  return false;
});

const tmp = await mkdtemp(join(tmpdir(), 'infermesh-packaging-'));
const tarballDir = join(tmp, 'tarballs');
const scratchDir = join(tmp, 'scratch');
await mkdir(tarballDir);
log(`checking ${libraries.length} libraries in ${tmp} (${cores} cores)`);

let packed: PackedLibrary[] = [];
const packedApps: PackedLibrary[] = [];
const tPack = performance.now();
try {
  const builtApps = apps.filter((a) => existsSync(join(a.root, 'dist')));
  for (const a of apps.filter((x) => !builtApps.includes(x))) appErrors.push(`${a.name}: not built (${a.root}/dist missing)`);
  const byName = await packLibraries(workspaceRoot, [...built, ...builtApps], tarballDir);
  for (const a of builtApps) {
    const p = byName.get(a.name);
    if (p) packedApps.push(p);
    else appErrors.push(`${a.name}: npm pack produced no tarball`);
  }
  for (const library of built) {
    const p = byName.get(library.name);
    if (p) {
      packed.push(p);
      report(library.name).files = p.files.length;
    } else {
      report(library.name).errors.push('npm pack produced no tarball');
    }
  }
  log(`packed ${packed.length} tarballs (${seconds(tPack)})`);
} catch (error) {
  for (const library of built) report(library.name).errors.push(String(error));
  packed = [];
}

async function lintAll(): Promise<void> {
  await mapLimit(packed, cores, async (p) => {
    const r = report(p.name);
    r.publint = await runPublint(p.tarball);
    log(`  ${p.name}: publint ${r.publint.ok ? 'ok' : 'FAIL'} (${r.publint.ms.toFixed(0)} ms)`);
    r.attw = await runAttw(workspaceRoot, p.tarball, tmp);
    log(`  ${p.name}: attw ${r.attw.ok ? 'ok' : 'FAIL'} (${r.attw.ms.toFixed(0)} ms)`);
  });
}

async function installAndImportAll(): Promise<void> {
  if (packed.length === 0) return;
  const tInstall = performance.now();
  const install = await installScratch(scratchDir, [...packed, ...packedApps], peerVersions(workspaceRoot, libraries));
  if (install.code !== 0) {
    for (const p of packed) report(p.name).errors.push(`scratch npm install failed:\n${install.stderr.trim()}`);
    appErrors.push('scratch npm install failed');
    log(`scratch install FAILED (${seconds(tInstall)})`);
    return;
  }
  log(`scratch install of ${packed.length + packedApps.length} tarballs ok (${seconds(tInstall)})`);
  await mapLimit(packed, cores * 2, async (p) => {
    const r = report(p.name);
    const [esm, cjs] = await Promise.all([
      importPackage(scratchDir, p.name, 'esm'),
      importPackage(scratchDir, p.name, 'cjs'),
    ]);
    r.esm = esm;
    r.cjs = cjs;
    if (esm.ok && cjs.ok) r.exports = compareExports(esm.keys, cjs.keys, r.placeholder);
    const status = !esm.ok || !cjs.ok || r.exports?.status === 'fail' ? 'FAIL' : r.exports?.status === 'placeholder' ? 'placeholder' : 'ok';
    log(`  ${p.name}: import ESM + CJS ${status}`);
  });
  if (packed.some((p) => p.name === '@infermesh/batcher')) await batcherInPlainScripts();
  await installedTypes();
  if (packedApps.length === apps.length && apps.length > 0) await appsFromBins();
}

/** `tsc --strict --skipLibCheck false` over an ESM and a CommonJS file importing every installed library. */
async function installedTypes(): Promise<void> {
  const tTypes = performance.now();
  const result = await checkInstalledTypes(workspaceRoot, scratchDir, packed.map((p) => p.name));
  const ok = result.code === 0;
  if (!ok) {
    const lines = `${result.stdout}${result.stderr}`.trim().split('\n');
    for (const p of packed) {
      const mine = lines.filter((l) => l.includes(`node_modules/${p.name}/`));
      if (mine.length > 0) report(p.name).errors.push(`strict tsc (skipLibCheck false):\n${mine.join('\n')}`);
    }
    if (!packed.some((p) => report(p.name).errors.some((e) => e.startsWith('strict tsc')))) {
      appErrors.push(`strict tsc over the installed libraries failed:\n${lines.join('\n')}`);
    }
  }
  log(`strict tsc (ESM .mts + CommonJS .cts, skipLibCheck false) over ${packed.length} installed libraries ${ok ? 'ok' : 'FAIL'} (${seconds(tTypes)})`);
}

/** Coordinator and worker from the installed bins, the worker serving the demo models, one sentiment answer. */
async function appsFromBins(): Promise<void> {
  const tApps = performance.now();
  const result = await checkApps(scratchDir, join(tmp, 'models'));
  for (const line of result.lines) log(`  apps: ${line}`);
  if (!result.ok) appErrors.push(...result.lines);
  log(`apps from their bins ${result.ok ? 'ok' : 'FAIL'} (${seconds(tApps)})`);
}

/**
 * A plain `node script.mjs` / `node script.cjs` that awaits a partly filled batch must see it resolve: the
 * batcher has to keep the process alive while items are queued (a timer unref'd then would let Node exit
 * with 13 in ESM, or with 0 and an unsettled promise in CommonJS).
 */
async function batcherInPlainScripts(): Promise<void> {
  const body = (load: string): string => `${load}
const batcher = new Batcher({ run: async (items) => items.map((x) => x * 2), maxBatchSize: 64, maxDelayMs: 50 });
Promise.all([batcher.add(1), batcher.add(2)]).then((r) => { console.log('batched ' + r.join(',')); });
`;
  await writeFile(join(scratchDir, 'batch.mjs'), body(`import { Batcher } from '@infermesh/batcher';`));
  await writeFile(join(scratchDir, 'batch.cjs'), body(`const { Batcher } = require('@infermesh/batcher');`));
  for (const file of ['batch.mjs', 'batch.cjs']) {
    const run = await runCommand(process.execPath, [file], { cwd: scratchDir });
    const ok = run.code === 0 && run.stdout.includes('batched 2,4');
    if (!ok) {
      report('@infermesh/batcher').errors.push(
        `node ${file}: a partly filled batch did not resolve (exit ${run.code}, stdout ${JSON.stringify(run.stdout.trim())})`,
      );
    }
    log(`  @infermesh/batcher: node ${file} with a partly filled batch ${ok ? 'ok' : 'FAIL'}`);
  }
}

await Promise.all([lintAll(), installAndImportAll()]);

const ordered = libraries.map((l) => report(l.name));
const failed = ordered.filter((r) => verdictOf(r) === 'FAIL');
log('');
log(renderTable(ordered));
const details = renderDetails(ordered);
if (details) log(`\n${details}`);
log(`\n${ordered.length} libraries, ${failed.length} failed; ${apps.length} apps ${appErrors.length === 0 ? 'ok' : 'FAILED'}, total ${seconds(t0)}`);
for (const e of appErrors) log(`  apps: ${e}`);

if (failed.length > 0 || appErrors.length > 0 || keep) {
  log(`tarballs and scratch project kept in ${tmp}`);
} else {
  await rm(tmp, { recursive: true, force: true });
}
process.exit(failed.length > 0 || appErrors.length > 0 ? 1 : 0);
