import { builtinModules } from 'node:module';

/** Bare module specifiers imported or re-exported by a declaration file (`from '…'`, `import('…')`). */
export function typeImports(dts: string): string[] {
  const found = new Set<string>();
  for (const m of dts.matchAll(/\bfrom\s+['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm)) {
    const specifier = m[1] ?? m[2] ?? m[3];
    if (specifier !== undefined && !specifier.startsWith('.')) found.add(specifier);
  }
  return [...found].sort();
}

/** The package a specifier belongs to: `@scope/name` or `name`; node built-ins belong to `@types/node`. */
export function packageOf(specifier: string): string {
  const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
  if (specifier.startsWith('node:') || builtinModules.includes(bare.split('/')[0] ?? '')) return '@types/node';
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/**
 * Packages a consumer needs to type-check this declaration file (with `skipLibCheck: false`) that the
 * manifest does not bring: each must be a dependency or a peer dependency. A package without its own types
 * also needs its `@types/` package declared.
 */
export function undeclaredTypePackages(
  dts: string,
  declared: Readonly<Record<string, string>>,
  hasOwnTypes: (pkg: string) => boolean,
): string[] {
  const missing = new Set<string>();
  for (const specifier of typeImports(dts)) {
    const pkg = packageOf(specifier);
    if (!(pkg in declared)) missing.add(pkg);
    else if (!pkg.startsWith('@types/') && !hasOwnTypes(pkg)) {
      const typesPkg = `@types/${pkg.startsWith('@') ? pkg.slice(1).replace('/', '__') : pkg}`;
      if (!(typesPkg in declared)) missing.add(typesPkg);
    }
  }
  return [...missing].sort();
}
