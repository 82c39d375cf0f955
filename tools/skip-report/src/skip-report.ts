import type { Reporter, TestCase, TestModule } from 'vitest/node';

/** One test that did not run, and why, as the summary prints it. */
export interface SkippedTest {
  readonly file: string;
  readonly name: string;
  readonly reason: string;
}

/**
 * Why a test did not run. `ctx.skip(note)` carries its own note. A declared `it.skip`, `skipIf`, `runIf`
 * or `todo` carries none, so the reason names the declaration and its line: the test's title says what it
 * needed (Chromium, promtool, openssl).
 */
export function reasonOf(mode: string, note: string | undefined, line: number | undefined): string {
  if (note !== undefined && note !== '') return note;
  const where = line === undefined ? '' : ` (line ${line})`;
  if (mode === 'todo') return `marked todo${where}`;
  return `declared skipped: it.skip, skipIf or runIf${where}`;
}

/** Every skipped or todo test in the finished modules, in file order. */
export function collectSkipped(modules: ReadonlyArray<TestModule>, root: string): SkippedTest[] {
  const skipped: SkippedTest[] = [];
  for (const module of modules) {
    const file = module.moduleId.startsWith(`${root}/`) ? module.moduleId.slice(root.length + 1) : module.moduleId;
    for (const test of module.children.allTests()) {
      const result = test.result();
      if (result.state !== 'skipped') continue;
      skipped.push({ file, name: test.fullName, reason: reasonOf(test.options.mode, result.note, lineOf(test)) });
    }
  }
  return skipped;
}

function lineOf(test: TestCase): number | undefined {
  return test.location?.line;
}

/** The lines the summary ends with; `fail` is true when the run must fail because of them. */
export function verdict(skipped: ReadonlyArray<SkippedTest>, ci: boolean): { lines: string[]; fail: boolean } {
  if (skipped.length === 0) return { lines: [], fail: false };
  const lines = [
    `${skipped.length} test${skipped.length === 1 ? '' : 's'} skipped${ci ? ': a skipped test fails the run under CI' : ''}:`,
    ...skipped.map((s) => `  - ${s.file} > ${s.name}: ${s.reason}`),
  ];
  return { lines, fail: ci };
}

/** True when the environment says this is a CI run (`CI=true` or `CI=1`, as `.ci/run` sets it). */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI.toLowerCase() !== 'false';
}

/**
 * Added after vitest's own reporter by `vitest.shared.ts`. Vitest counts skipped tests but does not say
 * why, and exits 0 with tests skipped; this reporter prints each one with its reason and, under CI, sets a
 * failing exit code, so a test that silently stopped running (a Debian tool missing) cannot pass CI.
 */
export class SkipReporter implements Reporter {
  readonly #root: string;
  readonly #ci: boolean;
  readonly #write: (line: string) => void;

  constructor(options: { root?: string; ci?: boolean; write?: (line: string) => void } = {}) {
    this.#root = options.root ?? process.cwd();
    this.#ci = options.ci ?? isCi();
    this.#write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const { lines, fail } = verdict(collectSkipped(modules, this.#root), this.#ci);
    for (const line of lines) this.#write(line);
    if (fail) process.exitCode = 1;
  }
}
