/**
 * The entry of an embedded worker thread (started by `startHostThread`): loads the repository's models
 * into a ModelHost and answers the worker protocol on the port its parent handed it.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { serveHost } from './host-service.js';
import { HostThreadOptionsSchema, type HostThreadStatus } from './thread-options.js';

async function serve(): Promise<void> {
  const { port, ...rest } = workerData as { port: MessagePort };
  try {
    await serveHost(HostThreadOptionsSchema.parse(rest), port, () => process.exit(0));
    parentPort?.postMessage({ ready: true } satisfies HostThreadStatus);
  } catch (error) {
    const code = (error as { code?: unknown })?.code;
    parentPort?.postMessage({ ready: false, code: typeof code === 'string' ? code : undefined, message: error instanceof Error ? error.message : String(error) } satisfies HostThreadStatus);
    port.close();
  }
}

void serve();
