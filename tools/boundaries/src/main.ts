import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkBoundaries, formatViolation } from './rules.js';
import { loadBoundaryInput, loadNxGraph } from './workspace-graph.js';

const started = performance.now();
let workspaceRoot = import.meta.dirname;
while (!existsSync(join(workspaceRoot, 'nx.json'))) {
  if (dirname(workspaceRoot) === workspaceRoot) throw new Error('no nx.json above the boundaries tool');
  workspaceRoot = dirname(workspaceRoot);
}

const input = await loadBoundaryInput(workspaceRoot, await loadNxGraph(workspaceRoot));
const violations = checkBoundaries(input);
const projects = Object.keys(input.projects).length;
const ms = (performance.now() - started).toFixed(0);

if (violations.length > 0) {
  for (const v of violations) console.error(formatViolation(v));
  console.error(`\n${violations.length} boundary violation(s) in ${projects} projects, ${input.imports.length} imports (${ms} ms)`);
  process.exit(1);
}
console.log(`boundaries ok: ${projects} projects, ${input.imports.length} imports checked (${ms} ms)`);
