import { describe, expect, it } from 'vitest';
import {
  checkBoundaries,
  findCycles,
  formatViolation,
  packageNameOf,
  RULES,
  type BoundaryInput,
  type GraphDependency,
  type ImportRef,
  type ProjectInfo,
} from './rules.js';

interface ProjectSpec {
  root?: string;
  tags: string[];
  deps?: string[];
  devDeps?: string[];
  exports?: string[];
  private?: boolean;
}

/** A small workspace: contracts ← inference, generic, app, tool; all declared, all clean. */
const CLEAN: Record<string, ProjectSpec> = {
  contracts: { tags: ['type:lib', 'scope:contract'], deps: ['zod'] },
  generic: { tags: ['type:lib', 'scope:generic'], deps: ['ws'] },
  generic2: { tags: ['type:lib', 'scope:generic'], deps: ['@infermesh/generic'] },
  inference: { tags: ['type:lib', 'scope:inference'], deps: ['@infermesh/contracts', '@infermesh/generic', 'zod'] },
  coordinator: { root: 'apps/coordinator', tags: ['type:app'], deps: ['@infermesh/inference', '@infermesh/generic'] },
  bench: { root: 'tools/bench', tags: ['type:tool'], deps: ['@infermesh/inference'] },
};

function project(name: string, spec: ProjectSpec): ProjectInfo {
  const runtime = new Set(spec.deps ?? []);
  return {
    name,
    root: spec.root ?? `libs/${name}`,
    tags: spec.tags,
    packageName: `@infermesh/${name}`,
    declared: new Set([...runtime, ...(spec.devDeps ?? [])]),
    runtimeDeclared: runtime,
    exportSubpaths: new Set(spec.exports ?? ['.', './package.json']),
    private: spec.private === true,
  };
}

/** The graph edges Nx would derive from each project's @infermesh dependencies. */
function workspace(specs: Record<string, ProjectSpec>, imports: ImportRef[] = []): BoundaryInput {
  const projects = Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, project(name, spec)]));
  const dependencies: GraphDependency[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    for (const dep of [...(spec.deps ?? []), ...(spec.devDeps ?? [])]) {
      if (dep.startsWith('@infermesh/')) {
        dependencies.push({ source: name, target: dep.slice('@infermesh/'.length), location: `${projects[name]?.root}/package.json` });
      }
    }
  }
  return { projects, dependencies, imports, rootDeclared: new Set(['vitest', 'fast-check']) };
}

const withDeps = (name: string, ...deps: string[]) => ({ ...CLEAN, [name]: { ...(CLEAN[name] as ProjectSpec), deps } });
const importIn = (project: string, specifier: string, file = `libs/${project}/src/index.ts`, line = 1): ImportRef => ({
  project,
  file,
  line,
  specifier,
});
const rulesOf = (input: BoundaryInput) => checkBoundaries(input).map((v) => v.rule);

describe('checkBoundaries', () => {
  it('passes a clean workspace, imports included', () => {
    const input = workspace(CLEAN, [
      importIn('inference', '@infermesh/contracts'),
      importIn('inference', 'zod'),
      importIn('inference', './batch.js'),
      importIn('inference', 'node:fs'),
      importIn('inference', 'vitest', 'libs/inference/src/index.test.ts'),
      importIn('inference', '../../vitest.shared', 'libs/inference/vitest.config.ts'),
      importIn('generic', '@infermesh/generic/package.json'),
      importIn('coordinator', '@infermesh/inference', 'apps/coordinator/src/main.ts'),
    ]);
    expect(checkBoundaries(input)).toEqual([]);
  });

  it('requires one known type tag on every project and a scope tag on every library', () => {
    const input = workspace({
      ...CLEAN,
      untyped: { tags: ['scope:generic'] },
      unscoped: { tags: ['type:lib'] },
      twice: { tags: ['type:lib', 'type:app', 'scope:generic'] },
      oddScope: { tags: ['type:lib', 'scope:utils'] },
    });
    expect(checkBoundaries(input).map(formatViolation)).toEqual([
      `oddScope: ${RULES.scopeTag} (libs/oddScope/package.json)`,
      `twice: ${RULES.typeTag} (libs/twice/package.json)`,
      `unscoped: ${RULES.scopeTag} (libs/unscoped/package.json)`,
      `untyped: ${RULES.typeTag} (libs/untyped/package.json)`,
    ]);
  });

  it('catches a library that depends on an app or a tool', () => {
    const input = workspace(withDeps('generic', '@infermesh/coordinator', '@infermesh/bench'));
    const broken = checkBoundaries(input).filter((v) => v.rule === RULES.libDependsOnLib);
    expect(broken.map((v) => v.dependency)).toEqual(['bench', 'coordinator']);
  });

  it('catches an app that depends on another app or a tool', () => {
    const specs = { ...CLEAN, worker: { root: 'apps/worker', tags: ['type:app'] } };
    const input = workspace({ ...specs, coordinator: { ...(CLEAN['coordinator'] as ProjectSpec), deps: ['@infermesh/worker', '@infermesh/bench'] } });
    expect(rulesOf(input)).toEqual([RULES.appDependsOnLib, RULES.appDependsOnLib]);
  });

  it('catches a project that depends on an end-to-end test project', () => {
    const specs = { ...CLEAN, e2e: { root: 'tests/e2e', tags: ['type:e2e'] } };
    const input = workspace({ ...specs, bench: { ...(CLEAN['bench'] as ProjectSpec), deps: ['@infermesh/e2e'] } });
    expect(rulesOf(input)).toEqual([RULES.e2eIsALeaf]);
  });

  it('catches a contract that depends on any project', () => {
    expect(rulesOf(workspace(withDeps('contracts', '@infermesh/generic')))).toEqual([RULES.contractStandsAlone]);
  });

  it('catches a generic building block that imports inference types', () => {
    const input = workspace(withDeps('generic2', '@infermesh/generic', '@infermesh/contracts', '@infermesh/inference'));
    expect(checkBoundaries(input).map((v) => `${v.dependency}: ${v.rule}`)).toEqual([
      `contracts: ${RULES.genericStaysGeneric}`,
      `inference: ${RULES.genericStaysGeneric}`,
    ]);
  });

  it('catches an inference library that depends on an unscoped project', () => {
    const specs = { ...CLEAN, loose: { tags: ['type:lib'] } };
    const input = workspace({ ...specs, inference: { ...(CLEAN['inference'] as ProjectSpec), deps: ['@infermesh/loose'] } });
    expect(rulesOf(input)).toEqual([RULES.inferenceDependsDown, RULES.scopeTag]);
  });

  it('catches a cycle and names its path', () => {
    const input = workspace({
      ...CLEAN,
      a: { tags: ['type:lib', 'scope:inference'], deps: ['@infermesh/b'] },
      b: { tags: ['type:lib', 'scope:inference'], deps: ['@infermesh/c'] },
      c: { tags: ['type:lib', 'scope:inference'], deps: ['@infermesh/a'] },
    });
    expect(checkBoundaries(input).map(formatViolation)).toEqual([`a → b → c → a: ${RULES.noCycles} (libs/a/package.json)`]);
  });

  it('catches a cycle that exists only in imports, missing from package.json', () => {
    const input = workspace(CLEAN, [importIn('generic', '@infermesh/generic2', 'libs/generic/src/x.ts', 7)]);
    expect(checkBoundaries(input).map(formatViolation)).toEqual([
      `generic → @infermesh/generic2: ${RULES.declared} (libs/generic/src/x.ts:7)`,
      `generic → generic2 → generic: ${RULES.noCycles} (libs/generic/src/x.ts:7)`,
    ]);
  });

  it('catches deep imports, even of a declared dependency', () => {
    const input = workspace(CLEAN, [
      importIn('inference', '@infermesh/contracts/src/tensor.js', 'libs/inference/src/a.ts', 3),
      importIn('inference', '@infermesh/contracts/dist/index.js', 'libs/inference/src/a.ts', 4),
      importIn('coordinator', '@infermesh/generic/src', 'apps/coordinator/src/main.ts', 9),
    ]);
    expect(checkBoundaries(input).map(formatViolation)).toEqual([
      `coordinator → @infermesh/generic/src: ${RULES.noDeepImport} (apps/coordinator/src/main.ts:9)`,
      `inference → @infermesh/contracts/dist/index.js: ${RULES.noDeepImport} (libs/inference/src/a.ts:4)`,
      `inference → @infermesh/contracts/src/tensor.js: ${RULES.noDeepImport} (libs/inference/src/a.ts:3)`,
    ]);
  });

  it('catches a relative import into another project', () => {
    const input = workspace(CLEAN, [importIn('inference', '../../contracts/src/tensor.js', 'libs/inference/src/a.ts', 2)]);
    expect(checkBoundaries(input).map(formatViolation)).toEqual([
      `inference → ../../contracts/src/tensor.js: ${RULES.relativeEscape} (libs/inference/src/a.ts:2)`,
    ]);
  });

  it('catches an import missing from package.json, and applies the tag rules to it', () => {
    const input = workspace(CLEAN, [importIn('generic', '@infermesh/contracts', 'libs/generic/src/pool.ts', 12)]);
    expect(checkBoundaries(input).map(formatViolation)).toEqual([
      `generic → @infermesh/contracts: ${RULES.declared} (libs/generic/src/pool.ts:12)`,
      `generic → contracts: ${RULES.genericStaysGeneric} (libs/generic/src/pool.ts:12)`,
    ]);
  });

  it('catches undeclared and unknown packages; root tooling is allowed outside published code', () => {
    const input = workspace(CLEAN, [
      importIn('generic', 'lodash', 'libs/generic/src/a.ts', 1),
      importIn('generic', '@infermesh/nope', 'libs/generic/src/a.ts', 2),
      importIn('generic', 'fast-check', 'libs/generic/src/a.test.ts', 3),
      importIn('generic', 'fast-check', 'libs/generic/src/a.ts', 4),
    ]);
    expect(checkBoundaries(input).map(formatViolation)).toEqual([
      `generic → @infermesh/nope: ${RULES.unknownPackage} (libs/generic/src/a.ts:2)`,
      `generic → fast-check: ${RULES.publishedDeclared} (libs/generic/src/a.ts:4)`,
      `generic → lodash: ${RULES.declared} (libs/generic/src/a.ts:1)`,
    ]);
  });

  it('catches a library whose published code imports a devDependency', () => {
    const specs = { ...CLEAN, generic: { ...(CLEAN['generic'] as ProjectSpec), devDeps: ['@types/ws', 'msgpackr'] } };
    const input = workspace(specs, [
      importIn('generic', 'msgpackr', 'libs/generic/src/codec.ts', 5),
      importIn('generic', 'msgpackr', 'libs/generic/bench/codec.bench.ts', 1),
    ]);
    expect(checkBoundaries(input).map(formatViolation)).toEqual([
      `generic → msgpackr: ${RULES.publishedDeclared} (libs/generic/src/codec.ts:5)`,
    ]);
  });

  it('lets every project import a private type:internal package it bundles, and the internal package import none', () => {
    const foundation: ProjectSpec = { tags: ['type:internal'], deps: ['zod'], private: true, exports: ['.', './testing'] };
    const specs = {
      ...CLEAN,
      foundation,
      contracts: { ...(CLEAN['contracts'] as ProjectSpec), devDeps: ['@infermesh/foundation'] },
      generic: { ...(CLEAN['generic'] as ProjectSpec), devDeps: ['@infermesh/foundation'] },
      coordinator: { ...(CLEAN['coordinator'] as ProjectSpec), devDeps: ['@infermesh/foundation'] },
    };
    const clean = workspace(specs, [
      importIn('generic', '@infermesh/foundation', 'libs/generic/src/options.ts'),
      importIn('generic', '@infermesh/foundation/testing', 'libs/generic/src/errors.test.ts'),
      importIn('contracts', '@infermesh/foundation', 'libs/contracts/src/options.ts'),
      importIn('coordinator', '@infermesh/foundation', 'apps/coordinator/src/main.ts'),
    ]);
    expect(checkBoundaries(clean)).toEqual([]);

    const broken = workspace(
      { ...specs, foundation: { ...foundation, deps: ['zod', '@infermesh/generic'], private: false }, inference: { ...(CLEAN['inference'] as ProjectSpec), deps: ['@infermesh/foundation'] } },
      [importIn('inference', '@infermesh/foundation', 'libs/inference/src/index.ts', 3)],
    );
    expect(checkBoundaries(broken).map(formatViolation)).toEqual([
      `foundation → generic → foundation: ${RULES.noCycles} (libs/foundation/package.json)`,
      `foundation → generic: ${RULES.internalStandsAlone} (libs/foundation/package.json)`,
      `inference → @infermesh/foundation: ${RULES.internalIsBundled} (libs/inference/src/index.ts:3)`,
    ]);
  });
});

describe('findCycles', () => {
  it('finds none in a DAG', () => {
    expect(findCycles([{ source: 'a', target: 'b' }, { source: 'b', target: 'c' }, { source: 'a', target: 'c' }])).toEqual([]);
  });

  it('finds each cycle once, self-loops included', () => {
    const edges = [
      { source: 'x', target: 'y' },
      { source: 'y', target: 'x' },
      { source: 'y', target: 'z' },
      { source: 'z', target: 'z' },
    ];
    expect(findCycles(edges)).toEqual([['x', 'y'], ['z']]);
  });
});

describe('packageNameOf', () => {
  it.each([
    ['zod', 'zod'],
    ['zod/v4', 'zod'],
    ['@infermesh/contracts', '@infermesh/contracts'],
    ['@infermesh/contracts/src/x.js', '@infermesh/contracts'],
  ])('%s → %s', (specifier, name) => expect(packageNameOf(specifier)).toBe(name));
});
