import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { runCommand } from './run-command.js';

export interface CheckOutcome {
  readonly ok: boolean;
  /** One line per finding; for a passing check, the non-failing notes (publint suggestions). */
  readonly details: readonly string[];
  readonly ms: number;
}

/**
 * publint on the tarball's own bytes, in strict mode: warnings count as errors. Suggestions are reported but
 * do not fail the check, because publint words them as optional improvements.
 */
export async function runPublint(tarball: string): Promise<CheckOutcome> {
  const started = performance.now();
  const bytes = await readFile(tarball);
  const arrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const { messages, pkg } = await publint({ pack: { tarball: arrayBuffer }, strict: true, level: 'suggestion' });
  const describe = (m: (typeof messages)[number]) => `${m.type} ${m.code}: ${formatMessage(m, pkg, { color: false }) ?? ''}`;
  const failing = messages.filter((m) => m.type !== 'suggestion');
  const notes = failing.length > 0 ? failing : messages;
  return { ok: failing.length === 0, details: notes.map(describe), ms: performance.now() - started };
}

interface AttwProblem {
  readonly kind: string;
  readonly entrypoint?: string;
  readonly resolutionKind?: string;
  readonly fileName?: string;
  readonly typesFileName?: string;
  readonly implementationFileName?: string;
}

/** `FalseESM at "." (node16-cjs): dist/index.d.ts for dist/index.cjs`: attw's JSON, one line a problem. */
function describeProblem(p: AttwProblem): string {
  const inPackage = (file: string) => file.replace(/^\/node_modules\/(@[^/]+\/)?[^/]+\//, '');
  const files = [p.fileName, p.typesFileName, p.implementationFileName].filter((f): f is string => Boolean(f));
  return [
    p.kind,
    p.entrypoint ? ` at "${p.entrypoint}"` : '',
    p.resolutionKind ? ` (${p.resolutionKind})` : '',
    files.length > 0 ? `: ${files.map(inPackage).join(' for ')}` : '',
  ].join('');
}

interface AttwJson {
  readonly analysis: { readonly types: false | { readonly kind: string } };
  readonly problems?: Record<string, AttwProblem[]>;
}

/** The attw entry script, resolved from the workspace's devDependency rather than from PATH. */
function attwBin(workspaceRoot: string): string {
  const require = createRequire(join(workspaceRoot, 'package.json'));
  const manifestPath = require.resolve('@arethetypeswrong/cli/package.json');
  const manifest = require(manifestPath) as { bin: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin['attw'];
  if (!bin) throw new Error('@arethetypeswrong/cli has no attw bin');
  return join(dirname(manifestPath), bin);
}

/**
 * attw on the tarball with the `node16` profile: node16 from CJS, node16 from ESM and bundler resolution must
 * all be clean (node10 is ignored: nothing we support resolves that way). attw's exit code decides; the JSON
 * lists the problems. A package without types passes attw silently, so it is failed here.
 */
export async function runAttw(workspaceRoot: string, tarball: string, cwd: string): Promise<CheckOutcome> {
  const result = await runCommand(
    process.execPath,
    [attwBin(workspaceRoot), tarball, '--profile', 'node16', '--format', 'json', '--no-color'],
    { cwd },
  );
  let parsed: AttwJson | undefined;
  try {
    parsed = JSON.parse(result.stdout) as AttwJson;
  } catch {
    parsed = undefined;
  }
  if (!parsed) {
    return { ok: false, details: [`attw exited ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`], ms: result.ms };
  }
  if (!parsed.analysis.types || parsed.analysis.types.kind === 'untyped') {
    return { ok: false, details: ['the package ships no type declarations'], ms: result.ms };
  }
  const problems = Object.values(parsed.problems ?? {})
    .flat()
    .filter((p) => p.resolutionKind !== 'node10')
    .map(describeProblem);
  const ok = result.code === 0;
  return { ok, details: ok ? [] : problems.length > 0 ? problems : [`attw exited ${result.code}`], ms: result.ms };
}
