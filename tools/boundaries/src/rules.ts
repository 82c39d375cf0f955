import { posix } from 'node:path';
import { builtinModules } from 'node:module';

export const TYPE_TAGS = ['type:lib', 'type:internal', 'type:app', 'type:tool', 'type:e2e'] as const;
export const SCOPE_TAGS = ['scope:contract', 'scope:generic', 'scope:inference'] as const;

/** What the checker needs to know about one project; paths are workspace-relative, with `/`. */
export interface ProjectInfo {
  readonly name: string;
  readonly root: string;
  readonly tags: readonly string[];
  /** `name` in its package.json; undefined for a project without one. */
  readonly packageName?: string;
  /** dependencies + devDependencies + peerDependencies. */
  readonly declared: ReadonlySet<string>;
  /** dependencies + peerDependencies: what a consumer of the published package gets. */
  readonly runtimeDeclared: ReadonlySet<string>;
  /** `private: true` in its package.json: never published. */
  readonly private?: boolean;
  /** Subpaths of its `exports` map (`"."`, `"./package.json"`, …). */
  readonly exportSubpaths: ReadonlySet<string>;
}

/** An edge of the Nx project graph (from package.json, source analysis or implicitDependencies). */
export interface GraphDependency {
  readonly source: string;
  readonly target: string;
  /** Where the edge is declared, e.g. `libs/a/package.json`. */
  readonly location: string;
}

/** One import specifier found in a source file. */
export interface ImportRef {
  readonly project: string;
  /** Workspace-relative path of the importing file. */
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
}

export interface BoundaryInput {
  readonly projects: Readonly<Record<string, ProjectInfo>>;
  readonly dependencies: readonly GraphDependency[];
  readonly imports: readonly ImportRef[];
  /** Packages declared in the root package.json: shared tooling every project may import (vitest, tsup). */
  readonly rootDeclared: ReadonlySet<string>;
}

export interface Violation {
  readonly project: string;
  /** The project, package or specifier the rule is about; absent for a rule about the project itself. */
  readonly dependency?: string;
  readonly rule: string;
  readonly location?: string;
}

export const RULES = {
  typeTag: `every project has exactly one type tag (${TYPE_TAGS.join(' | ')})`,
  scopeTag: `every type:lib has exactly one scope tag (${SCOPE_TAGS.join(' | ')})`,
  libDependsOnLib: 'a type:lib depends only on type:lib and type:internal',
  appDependsOnLib: 'a type:app depends only on type:lib and type:internal',
  internalStandsAlone: 'type:internal depends on no other project',
  internalIsBundled: 'a type:internal package is private and only a devDependency: the library bundles it, npm never sees it',
  e2eIsALeaf: 'no project depends on a type:e2e project',
  contractStandsAlone: 'scope:contract depends on no other project',
  genericStaysGeneric: 'scope:generic depends only on scope:generic',
  inferenceDependsDown: 'scope:inference depends only on scope:contract, scope:generic, scope:inference',
  noCycles: 'no cycles in the project graph',
  noDeepImport: 'no deep imports: import the package entry, not its files',
  unknownPackage: 'no such @infermesh package in the workspace',
  declared: "imported packages are declared in the project's package.json",
  publishedDeclared: "a library's published code imports only its dependencies and peerDependencies",
  relativeEscape: 'no relative import into another project',
} as const;

const BUILTINS = new Set(builtinModules);

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

const isRelative = (specifier: string) => specifier.startsWith('.') || specifier.startsWith('/');
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || BUILTINS.has(packageNameOf(specifier));
const isTest = (file: string) => /(\.|\/)(test|spec)\.[cm]?[jt]sx?$/.test(file) || file.includes('/__tests__/');

/** Code that ends up in the published tarball: `src/`, minus tests. */
function isPublishedSource(project: ProjectInfo, file: string): boolean {
  return file.startsWith(`${project.root}/src/`) && !isTest(file);
}

function projectContaining(projects: readonly ProjectInfo[], file: string): ProjectInfo | undefined {
  let best: ProjectInfo | undefined;
  for (const p of projects) {
    if ((file === p.root || file.startsWith(`${p.root}/`)) && (!best || p.root.length > best.root.length)) best = p;
  }
  return best;
}

const tagsWithPrefix = (p: ProjectInfo, prefix: string) => p.tags.filter((t) => t.startsWith(prefix));
const hasTag = (p: ProjectInfo | undefined, tag: string) => p?.tags.includes(tag) === true;

interface Edge {
  readonly source: string;
  readonly target: string;
  readonly locations: string[];
}

/**
 * Checks the dependency rule over a workspace: the tags of each project, every edge of the project graph
 * (declared by Nx or found in an import), cycles, and every import specifier. Pure: the caller gathers the
 * input (see workspace-graph.ts), so each rule is tested on a small hand-written graph.
 */
export function checkBoundaries(input: BoundaryInput): Violation[] {
  const violations: Violation[] = [];
  const projects = Object.values(input.projects);
  const byPackage = new Map(projects.filter((p) => p.packageName).map((p) => [p.packageName as string, p]));
  const manifest = (p: ProjectInfo) => (p.packageName ? `${p.root}/package.json` : p.root);

  for (const p of projects) {
    const types = tagsWithPrefix(p, 'type:');
    if (types.length !== 1 || !(TYPE_TAGS as readonly string[]).includes(types[0] as string)) {
      violations.push({ project: p.name, rule: RULES.typeTag, location: manifest(p) });
    }
    if (hasTag(p, 'type:lib')) {
      const scopes = tagsWithPrefix(p, 'scope:');
      if (scopes.length !== 1 || !(SCOPE_TAGS as readonly string[]).includes(scopes[0] as string)) {
        violations.push({ project: p.name, rule: RULES.scopeTag, location: manifest(p) });
      }
    }
  }

  const edges = new Map<string, Edge>();
  const addEdge = (source: string, target: string, location: string) => {
    const key = `${source}\u0000${target}`;
    const edge = edges.get(key) ?? { source, target, locations: [] };
    // A file:line beats a package.json line: it shows where the arrow is actually used.
    if (/:\d+$/.test(location)) edge.locations.unshift(location);
    else edge.locations.push(location);
    edges.set(key, edge);
  };
  for (const d of input.dependencies) {
    if (d.source !== d.target && input.projects[d.source] && input.projects[d.target]) addEdge(d.source, d.target, d.location);
  }

  for (const ref of input.imports) {
    const source = input.projects[ref.project];
    if (!source) continue;
    const at = `${ref.file}:${ref.line}`;
    const { specifier } = ref;

    if (isRelative(specifier)) {
      if (specifier.startsWith('/')) continue;
      const resolved = posix.normalize(posix.join(posix.dirname(ref.file), specifier));
      const target = projectContaining(projects, resolved);
      if (target && target.name !== source.name) {
        violations.push({ project: source.name, dependency: specifier, rule: RULES.relativeEscape, location: at });
        addEdge(source.name, target.name, at);
      }
      continue;
    }
    if (isBuiltin(specifier)) continue;

    const pkg = packageNameOf(specifier);
    const subpath = specifier.slice(pkg.length + 1);
    const target = byPackage.get(pkg);
    if (pkg.startsWith('@infermesh/') && !target) {
      violations.push({ project: source.name, dependency: specifier, rule: RULES.unknownPackage, location: at });
      continue;
    }
    if (target && subpath && (subpath === 'src' || subpath.startsWith('src/') || !target.exportSubpaths.has(`./${subpath}`))) {
      violations.push({ project: source.name, dependency: specifier, rule: RULES.noDeepImport, location: at });
    }
    if (target && target.name === source.name) continue;
    if (target) addEdge(source.name, target.name, at);

    // @infermesh packages must be declared by the project itself; third-party tooling may come from the root.
    const declared = source.declared.has(pkg) || (!target && input.rootDeclared.has(pkg));
    if (!declared) {
      violations.push({ project: source.name, dependency: pkg, rule: RULES.declared, location: at });
    } else if (target && hasTag(target, 'type:internal')) {
      // Bundled at build time (tsup noExternal), so it must not reach the published manifest.
      if (source.runtimeDeclared.has(pkg) || !target.private) {
        violations.push({ project: source.name, dependency: pkg, rule: RULES.internalIsBundled, location: at });
      }
    } else if (hasTag(source, 'type:lib') && isPublishedSource(source, ref.file) && !source.runtimeDeclared.has(pkg)) {
      violations.push({ project: source.name, dependency: pkg, rule: RULES.publishedDeclared, location: at });
    }
  }

  for (const edge of edges.values()) {
    const source = input.projects[edge.source];
    const target = input.projects[edge.target];
    if (!source || !target) continue;
    const broken = (rule: string) =>
      violations.push({ project: source.name, dependency: target.name, rule, location: edge.locations[0] });
    const isBuildingBlock = hasTag(target, 'type:lib') || hasTag(target, 'type:internal');
    if (hasTag(source, 'type:lib') && !isBuildingBlock) broken(RULES.libDependsOnLib);
    if (hasTag(source, 'type:app') && !isBuildingBlock) broken(RULES.appDependsOnLib);
    if (hasTag(source, 'type:internal')) broken(RULES.internalStandsAlone);
    if (hasTag(target, 'type:internal')) continue; // the scope rules are about published libraries
    if (hasTag(target, 'type:e2e')) broken(RULES.e2eIsALeaf);
    if (hasTag(source, 'scope:contract')) broken(RULES.contractStandsAlone);
    if (hasTag(source, 'scope:generic') && !hasTag(target, 'scope:generic')) broken(RULES.genericStaysGeneric);
    if (hasTag(source, 'scope:inference') && !SCOPE_TAGS.some((scope) => hasTag(target, scope))) {
      broken(RULES.inferenceDependsDown);
    }
  }

  for (const cycle of findCycles([...edges.values()])) {
    const first = cycle[0] as string;
    const second = cycle[1] as string;
    const location = edges.get(`${first}\u0000${second}`)?.locations[0];
    violations.push({ project: first, dependency: [...cycle.slice(1), first].join(' → '), rule: RULES.noCycles, location });
  }

  return violations.sort((a, b) => formatViolation(a).localeCompare(formatViolation(b)));
}

/**
 * Every cycle, as the members of one strongly connected component (Tarjan), ordered so each member depends
 * on the next and the last on the first. A component is reported once, starting at its smallest name.
 */
export function findCycles(edges: readonly { source: string; target: string }[]): string[][] {
  const adjacency = new Map<string, string[]>();
  for (const { source, target } of edges) {
    adjacency.set(source, [...(adjacency.get(source) ?? []), target]);
    if (!adjacency.has(target)) adjacency.set(target, []);
  }
  for (const targets of adjacency.values()) targets.sort();
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];

  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of adjacency.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) as number, index.get(next) as number));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfLoop = adjacency.get(node)?.includes(node) === true;
      if (component.length > 1 || selfLoop) components.push(component);
    }
  };
  for (const node of [...adjacency.keys()].sort()) if (!index.has(node)) visit(node);

  return components.map((component) => orderCycle(component, adjacency)).sort((a, b) => a.join().localeCompare(b.join()));
}

/** A path through the component that starts at its smallest member and returns to it. */
function orderCycle(component: readonly string[], adjacency: ReadonlyMap<string, readonly string[]>): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0] as string;
  // Breadth-first from start back to start, staying inside the component: the shortest such loop.
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift() as string;
    for (const next of adjacency.get(node) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [node];
        for (let at = node; at !== start; ) {
          at = previous.get(at) as string;
          path.unshift(at);
        }
        return path;
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start];
}

export function formatViolation(v: Violation): string {
  return `${v.project}${v.dependency ? ` → ${v.dependency}` : ''}: ${v.rule}${v.location ? ` (${v.location})` : ''}`;
}
