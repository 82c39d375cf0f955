import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDemoModels, startCluster, type Cluster, type ClusterOptions } from '@infermesh/launcher';

let repository: Promise<string> | undefined;

/** The demo models, built once per test process into a temporary repository. */
export function demoRepository(): Promise<string> {
  repository ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-e2e-models-'));
    await buildDemoModels(dir);
    return dir;
  })();
  return repository;
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
