import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The fields of a package.json this check reads. */
export interface Manifest {
  readonly name?: string;
  readonly version?: string;
  readonly private?: boolean;
  readonly license?: string;
  readonly keywords?: readonly string[];
  readonly homepage?: string;
  readonly author?: unknown;
  readonly contributors?: unknown;
  readonly bugs?: { readonly url?: string };
  readonly repository?: { readonly type?: string; readonly url?: string; readonly directory?: string };
  readonly publishConfig?: { readonly access?: string };
  readonly files?: readonly string[];
  readonly dependencies?: Readonly<Record<string, string>>;
}

/**
 * Problems that would make a published package incomplete, one sentence each. `root` is the package's
 * folder relative to the workspace, `workspaceVersion` the version of the fixed release group, `license`
 * the text of the root LICENSE and `ownLicense` the text of the package's copy (undefined when absent).
 */
export function checkManifest(
  root: string,
  manifest: Manifest,
  workspaceVersion: string,
  license: string,
  ownLicense: string | undefined,
): string[] {
  const problems: string[] = [];
  const at = (message: string) => problems.push(`${root}: ${message}`);
  if (manifest.license !== 'MIT') at('license must be "MIT" (the root LICENSE)');
  if (!manifest.keywords || manifest.keywords.length < 3) at('keywords: give at least three');
  if (!manifest.homepage?.startsWith('https://')) at('homepage: an https URL');
  if (!manifest.bugs?.url?.startsWith('https://')) at('bugs.url: an https URL');
  if (manifest.author === undefined && manifest.contributors === undefined) at('author or contributors is missing');
  if (manifest.repository?.type !== 'git' || !manifest.repository.url?.startsWith('git+https://')) {
    at('repository: { type: "git", url: "git+https://…" }');
  }
  if (manifest.repository?.directory !== root) at(`repository.directory must be "${root}"`);
  if (manifest.publishConfig?.access !== 'public') at('publishConfig.access must be "public" (scoped packages are private by default)');
  if (manifest.files && !manifest.files.includes('LICENSE')) at('files must list LICENSE');
  if (ownLicense === undefined) at('LICENSE file is missing (copy the root LICENSE)');
  else if (ownLicense !== license) at('LICENSE differs from the root LICENSE');
  if (manifest.version !== workspaceVersion) at(`version ${manifest.version} is not the release group's ${workspaceVersion}`);
  for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
    if (name.startsWith('@infermesh/') && range !== `^${workspaceVersion}`) {
      at(`dependency ${name}@${range}: internal dependencies use ^${workspaceVersion}, which nx release moves in step`);
    }
  }
  return problems;
}

export function readManifest(workspaceRoot: string, root: string): Manifest {
  return JSON.parse(readFileSync(join(workspaceRoot, root, 'package.json'), 'utf8')) as Manifest;
}
