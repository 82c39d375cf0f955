import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnApp } from '@infermesh/launcher';
import { warmUp } from '../load/warm-up.js';
import { requireWrk, runWrk } from '../load/wrk-run.js';
import { findNginx, startNginx } from '../nginx.js';
import { noopHttpRequest } from '../payloads.js';
import { levelsFor, SERIES, type BenchContext, type Scenario } from './scenario.js';

const UPSTREAM_ENTRY = fileURLToPath(new URL('../upstream/main.ts', import.meta.url));

interface ProxiedUpstream {
  url: string;
  stop: () => Promise<void>;
}

/** The upstream (a process of its own) and nginx in front of it; undefined when nginx is not installed. */
function nginxInFront(ctx: BenchContext): Promise<ProxiedUpstream | undefined> {
  return ctx.resource('nginx', async () => {
    const binary = findNginx();
    if (!binary) return undefined;
    const upstream = spawnApp({ name: 'upstream', entry: UPSTREAM_ENTRY, args: [] });
    ctx.cleanup.track(upstream.child);
    ctx.cleanup.add('noop upstream', () => upstream.stop());
    const { port: upstreamPort } = await upstream.waitFor('upstream listening');
    const nginx = await startNginx({ binary, dir: join(ctx.tempDir, 'nginx'), upstreamPort: Number(upstreamPort) });
    ctx.cleanup.track(nginx.child);
    ctx.cleanup.add('nginx', () => nginx.stop());
    return {
      url: `http://127.0.0.1:${nginx.port}`,
      stop: async () => {
        await nginx.stop();
        await upstream.stop();
      },
    };
  });
}

/**
 * A C peer doing the same HTTP job: nginx reverse-proxying to a Node server that answers the noop
 * request. The coordinator's HTTP throughput is compared with it at the same connections, both driven
 * by wrk (autocannon, JavaScript on the same two cores, capped nginx at its own 13k req/s).
 */
export const nginxPeerScenario: Scenario = {
  id: 'nginx-peer',
  name: 'nginx peer',
  requireTools: () => requireWrk(),
  prepare: nginxInFront,
  async run(ctx) {
    const proxied = await nginxInFront(ctx);
    if (!proxied) {
      ctx.skip('nginx peer', 'nginx not installed: scenario skipped (apt-get install -y nginx)');
      return;
    }
    const url = `${proxied.url}/v2/models/noop/infer`;
    const bodies = [JSON.stringify(noopHttpRequest)];
    await warmUp({ url, bodies }, 'wrk');
    for (const connections of levelsFor(ctx, [16])) {
      await ctx.measure({ scenario: 'nginx peer', series: SERIES.nginx, connections }, () => runWrk({ url, bodies, connections, durationS: ctx.durationS }));
    }
    await proxied.stop();
  },
};
