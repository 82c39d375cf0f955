import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ProjectGraph } from 'nx/src/devkit-exports';
import { scanProject } from './import-scan.js';
import type { BoundaryInput, GraphDependency, ImportRef, ProjectInfo } from './rules.js';

interface Manifest {
  name?: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  exports?: unknown;
}

async function readManifest(path: string): Promise<Manifest | undefined> {
  return existsSync(path) ? (JSON.parse(await readFile(path, 'utf8')) as Manifest) : undefined;
}

function exportSubpaths(exportsField: unknown): Set<string> {
  if (exportsField === undefined) return new Set();
  if (typeof exportsField === 'string' || Array.isArray(exportsField)) return new Set(['.']);
  const keys = Object.keys(exportsField as object);
  // An exports object whose keys are conditions (`import`, `require`) describes only ".".
  return new Set(keys.every((k) => k.startsWith('.')) ? keys : ['.']);
}

const keysOf = (...records: (Record<string, string> | undefined)[]) => new Set(records.flatMap((r) => Object.keys(r ?? {})));

/**
 * The project graph as Nx computes it, through the same function `@nx/devkit` re-exports: projects, their
 * tags (from package.json `nx.tags`) and the project-to-project edges Nx found in package.json files and
 * source. Loaded with require because nx is CommonJS.
 */
export async function loadNxGraph(workspaceRoot: string): Promise<ProjectGraph> {
  const require = createRequire(join(workspaceRoot, 'package.json'));
  const devkit = require('nx/src/devkit-exports') as typeof import('nx/src/devkit-exports');
  return devkit.createProjectGraphAsync({ exitOnError: false });
}

/** Gathers the checker's input: the Nx graph, each project's package.json and every import in its files. */
export async function loadBoundaryInput(workspaceRoot: string, graph: ProjectGraph): Promise<BoundaryInput> {
  const projects: Record<string, ProjectInfo> = {};
  for (const [name, node] of Object.entries(graph.nodes)) {
    const root = node.data.root;
    const manifest = await readManifest(join(workspaceRoot, root, 'package.json'));
    projects[name] = {
      name,
      root,
      // Nx adds npm:public / npm:private by itself; only our own tags carry the rule.
      tags: (node.data.tags ?? []).filter((t) => !t.startsWith('npm:')),
      ...(manifest?.name ? { packageName: manifest.name } : {}),
      declared: keysOf(manifest?.dependencies, manifest?.devDependencies, manifest?.peerDependencies),
      runtimeDeclared: keysOf(manifest?.dependencies, manifest?.peerDependencies),
      exportSubpaths: exportSubpaths(manifest?.exports),
      private: manifest?.private === true,
    };
  }

  const dependencies: GraphDependency[] = [];
  for (const [source, edges] of Object.entries(graph.dependencies)) {
    const from = projects[source];
    if (!from) continue;
    for (const { target } of edges) {
      const to = projects[target];
      if (!to || target === source) continue;
      const declaredInManifest = to.packageName !== undefined && from.declared.has(to.packageName);
      dependencies.push({ source, target, location: declaredInManifest ? `${from.root}/package.json` : 'nx project graph' });
    }
  }

  const imports: ImportRef[] = [];
  const roots = Object.values(projects).map((p) => p.root);
  for (const project of Object.values(projects)) {
    const nested = new Set(
      roots.filter((r) => r !== project.root && r.startsWith(`${project.root}/`)).map((r) => join(workspaceRoot, r)),
    );
    for (const found of await scanProject(workspaceRoot, project.root, nested)) imports.push({ project: project.name, ...found });
  }

  const rootManifest = await readManifest(join(workspaceRoot, 'package.json'));
  const rootDeclared = keysOf(rootManifest?.dependencies, rootManifest?.devDependencies, rootManifest?.peerDependencies);
  return { projects, dependencies, imports, rootDeclared };
}
