/**
 * Measures what a bundler ships when an application imports ONE function from each library: an esbuild
 * bundle (minified, platform node, node built-ins external) of `import { name } from '@infermesh/<lib>'`,
 * resolved to the built `dist/` as a consumer would get it. Prints total bytes and the bytes that come from
 * zod, so the cost of a library's validation layer is visible next to the function itself.
 *
 *   npx nx run bundle-size:bundle-size      (builds the libraries first)
 */
import { build } from 'esbuild';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';


/** One representative function per library: the smallest thing a script would import on its own. */
export const ONE_FUNCTION: Readonly<Record<string, string>> = {
  '@infermesh/batcher': 'Batcher',
  '@infermesh/config': 'parseFlags',
  '@infermesh/contracts': 'bytesPerElement',
  '@infermesh/kvstore': 'MemoryStore',
  '@infermesh/load-balancer': 'LoadBalancer',
  '@infermesh/processing': 'StepCatalog',
  '@infermesh/registry': 'ModelRegistry',
  '@infermesh/router': 'jumpHash',
  '@infermesh/runtime': 'JsRuntime',
  '@infermesh/telemetry': 'Tracer',
  '@infermesh/transport': 'dial',
};

export interface BundleSize {
  readonly library: string;
  readonly name: string;
  readonly bytes: number;
  readonly zodBytes: number;
}

export async function measureBundle(workspaceRoot: string, library: string, name: string): Promise<BundleSize> {
  const dir = await mkdtemp(join(tmpdir(), 'infermesh-bundle-'));
  try {
    const entry = join(dir, 'entry.mjs');
    await writeFile(entry, `import { ${name} } from '${library}';\nglobalThis.keep = ${name};\n`);
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'node',
      write: false,
      metafile: true,
      logLevel: 'silent',
      nodePaths: [join(workspaceRoot, 'node_modules')],
      // Optional native or WebAssembly-heavy packages stay outside, as an application bundle would keep them.
      external: [...builtinModules, 'node:*', 'onnxruntime-node', 'better-sqlite3', 'ws', 'bufferutil', 'utf-8-validate'],
    });
    const output = Object.values(result.metafile.outputs)[0];
    let zodBytes = 0;
    for (const [path, input] of Object.entries(output?.inputs ?? {})) {
      if (/node_modules[\\/]zod[\\/]/.test(path)) zodBytes += input.bytesInOutput;
    }
    return { library, name, bytes: output?.bytes ?? 0, zodBytes };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = join(import.meta.dirname, '..', '..', '..');
  console.log('| import | minified bundle | of which zod |');
  console.log('|---|---:|---:|');
  for (const [library, name] of Object.entries(ONE_FUNCTION)) {
    const size = await measureBundle(root, library, name);
    console.log(`| \`{ ${name} }\` from \`${library}\` | ${kb(size.bytes)} | ${kb(size.zodBytes)} |`);
  }
}
