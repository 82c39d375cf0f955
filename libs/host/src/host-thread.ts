import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker, type MessagePort, type WorkerOptions } from 'node:worker_threads';
import { parseOptions } from '@infermesh/foundation';
import { HostThreadError } from './errors.js';
import { HostThreadOptionsSchema, type HostThreadOptions, type HostThreadStatus } from './thread-options.js';


/** An embedded worker: a thread of this process serving the worker protocol on `port`. */
export interface HostThread {
  readonly id: string;
  /** This side of the thread's channel: hand it to transport's `connectPort`. */
  readonly port: MessagePort;
  readonly thread: Worker;
  /** Ends the thread (after its peer was closed, it exits by itself). */
  stop(): Promise<void>;
}

/**
 * The thread's entry beside this file: the build's `thread.js` (from the CommonJS build too: it sits in
 * the same folder), or, run from TypeScript source (tests), `thread.ts` through tsx. Node 20 does not
 * apply a parent's `--import tsx` to a worker's entry, so from source a one-line bootstrap registers tsx
 * first.
 */
function threadScript(): { script: URL | string; options: WorkerOptions } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { script: new URL('./thread.js', here), options: {} };
  // tsx's ESM entry (its CommonJS one cannot be imported into a worker); `import.meta.resolve` is not in every test runner.
  const tsx = pathToFileURL(createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./thread.ts', here).href;
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return { script: code, options: { eval: true, execArgv: [...process.execArgv, '--conditions=@infermesh/source'] } };
}

/**
 * Starts a worker thread that loads a model repository and answers the worker protocol on a
 * MessagePort: a worker without a process or a socket, for one machine. Resolves once its models are
 * loaded; rejects with `IM_HOST_THREAD_FAILED` (and the cause's code in the message) if they do not load.
 */
export async function startHostThread(options: HostThreadOptions): Promise<HostThread> {
  const o = parseOptions(HostThreadOptionsSchema, options, 'startHostThread');
  const { port1, port2 } = new MessageChannel();
  const { script, options: scriptOptions } = threadScript();
  const thread = new Worker(script, { ...scriptOptions, workerData: { ...o, port: port2 }, transferList: [port2], name: o.id });
  const status = await new Promise<HostThreadStatus>((resolve) => {
    const timer = setTimeout(() => resolve({ ready: false, code: undefined, message: `models not loaded within ${o.startTimeoutMs} ms` }), o.startTimeoutMs);
    const settle = (s: HostThreadStatus): void => {
      clearTimeout(timer);
      resolve(s);
    };
    thread.once('message', (s: HostThreadStatus) => settle(s));
    thread.once('error', (error) => settle({ ready: false, code: (error as { code?: string }).code, message: error.message }));
    thread.once('exit', (code) => settle({ ready: false, code: undefined, message: `thread exited with code ${code} before it was ready` }));
  });
  if (!status.ready) {
    port1.close();
    await thread.terminate();
    throw new HostThreadError(o.id, status.code, status.message);
  }
  thread.on('error', () => port1.close());
  return {
    id: o.id,
    port: port1,
    thread,
    stop: async () => {
      port1.close();
      await thread.terminate();
    },
  };
}
