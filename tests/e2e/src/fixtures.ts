import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDemoModels, startCluster, type Cluster, type ClusterOptions } from '@infermesh/launcher';

let repository: Promise<string> | undefined;

/** The demo models but OCR's (whose 15 MB of networks only the OCR tests load), built once per test process into a temporary repository. */
export function demoRepository(): Promise<string> {
  repository ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-e2e-models-'));
    await buildDemoModels(dir, undefined, ['--models', 'sentiment,mlp,noop']);
    return dir;
  })();
  return repository;
}

/** The OCR pipeline and its two networks alone, as `npm start` writes them. */
export async function ocrRepository(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'im-e2e-ocr-'));
  await buildDemoModels(dir, undefined, ['--models', 'ocr-det,ocr-rec,ocr']);
  return dir;
}

export async function demoCluster(options: Omit<ClusterOptions, 'repository'> = {}): Promise<Cluster> {
  return startCluster({ repository: await demoRepository(), ...options, coordinatorArgs: ['--heartbeat-ms', '500', ...(options.coordinatorArgs ?? [])] });
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: any;
}

export async function http(cluster: Cluster, path: string, init: RequestInit & { json?: unknown } = {}): Promise<HttpAnswer> {
  const { json, ...rest } = init;
  const res = await fetch(`${cluster.url}${path}`, {
    ...rest,
    ...(json !== undefined ? { method: rest.method ?? 'POST', body: JSON.stringify(json) } : {}),
    headers: { ...(json !== undefined ? { 'content-type': 'application/json' } : {}), ...(rest.headers as Record<string, string>) },
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body };
}

/** A free loopback port, for a process that must come back on the same address. */
export { freePort } from '@infermesh/foundation';

/** Whether a process still runs (a zombie counts as gone). */
export { processAlive } from '@infermesh/foundation/testing';

/** A copy of the demo repository with some manifests changed (appended YAML keys), for one test file. */
export async function variantRepository(edits: Record<string, string>): Promise<string> {
  const { cpSync, appendFileSync } = await import('node:fs');
  const dir = mkdtempSync(join(tmpdir(), 'im-e2e-variant-'));
  cpSync(await demoRepository(), dir, { recursive: true });
  for (const [model, yaml] of Object.entries(edits)) appendFileSync(join(dir, model, 'manifest.yaml'), `\n${yaml}\n`);
  return dir;
}

/** The upgrade headers of a process that holds the cluster's worker-channel token (a fake or faulty worker). */
export function workerChannelHeaders(cluster: Cluster): Record<string, string> {
  if (cluster.tokenFile === undefined) return {};
  return { authorization: `Bearer ${readFileSync(cluster.tokenFile, 'utf8').trim()}` };
}
