import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkBoundaries, formatViolation, RULES, type BoundaryInput } from './rules.js';
import { loadBoundaryInput, loadNxGraph } from './workspace-graph.js';

const workspaceRoot = join(import.meta.dirname, '..', '..', '..');

/** The real workspace, through the real Nx project graph: what `nx run boundaries:boundaries` checks. */
describe('the infermesh workspace', () => {
  let input: BoundaryInput;
  beforeAll(async () => {
    input = await loadBoundaryInput(workspaceRoot, await loadNxGraph(workspaceRoot));
  }, 60_000);

  it('is loaded with its libraries, tags and imports', () => {
    const contracts = input.projects['contracts'];
    expect(contracts?.tags).toEqual(['type:lib', 'scope:contract']);
    expect(contracts?.packageName).toBe('@infermesh/contracts');
    expect(input.projects['boundaries']?.tags).toEqual(['type:tool']);
    expect(input.imports.some((i) => i.project === 'contracts' && i.specifier === 'zod/v4')).toBe(true);
  });

  it('keeps every boundary', () => {
    expect(checkBoundaries(input).map(formatViolation)).toEqual([]);
  });

  it('would fail if a generic library imported the contracts without declaring them', () => {
    const generic = Object.values(input.projects).find((p) => p.tags.includes('scope:generic'));
    const contracts = Object.values(input.projects).find((p) => p.tags.includes('scope:contract'));
    if (!generic || !contracts?.packageName) throw new Error('the workspace has no generic or contract library');
    const file = `${generic.root}/src/index.ts`;
    const bad = { project: generic.name, file, line: 1, specifier: `${contracts.packageName}/src/index.js` };
    const messages = checkBoundaries({ ...input, imports: [...input.imports, bad] }).map(formatViolation);
    expect(messages.sort()).toEqual([
      `${generic.name} → ${contracts.packageName}/src/index.js: ${RULES.noDeepImport} (${file}:1)`,
      `${generic.name} → ${contracts.packageName}: ${RULES.declared} (${file}:1)`,
      `${generic.name} → ${contracts.name}: ${RULES.genericStaysGeneric} (${file}:1)`,
    ].sort());
  });
});
