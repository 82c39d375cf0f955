import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

/** What a peer engine is given: the same ONNX file and batch policy as infermesh's manifest. */
export interface PeerModel {
  /** The model.onnx of the MLP. */
  onnxPath: string;
  /** Layer widths, input first. */
  dims: readonly number[];
  maxBatchSize: number;
  maxDelayMs: number;
  /** A scratch folder of its own. */
  dir: string;
  /** A request body it must answer with 200 before it counts as up. */
  probeBody: string;
}

export interface RunningPeer {
  /** Base URL; the model answers at `${url}/v2/models/mlp/infer`. */
  url: string;
  /** The process the peer was started as; its CPU is read with every process below it. */
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Another serving engine run beside infermesh with the same load, when it is installed here. */
export interface PeerEngine {
  /** The product, as a missing peer is reported: `Ray Serve: not installed (…)`. */
  readonly product: string;
  /** The product as it is run, in its series: `Ray Serve, 2 replicas, @serve.batch`. */
  readonly name: string;
  /** Why it cannot run here, or undefined when it is installed. */
  missing(): string | undefined;
  start(model: PeerModel): Promise<RunningPeer>;
}

/** True when `command args…` exits 0 (an import, a `--version`); false when it fails or is not there. */
export function succeeds(command: string, args: readonly string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

/** A free loopback port, for engines that take a port but cannot report the one they took. */
export { freePort } from '../foreground-server.js';

const STARTUP_MS = 180_000;

/**
 * Starts an engine's process and resolves once `POST ${url}/v2/models/mlp/infer` answers 200; rejects
 * with the process's last output if it exits first or is not up within three minutes.
 */
export async function spawnPeer(command: string, args: readonly string[], url: string, probeBody: string): Promise<RunningPeer> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      output.splice(0, Math.max(0, output.length - 40));
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  const began = Date.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${command} exited (code ${child.exitCode}) before answering\n${output.join('\n')}`);
    }
    if (Date.now() - began > STARTUP_MS) {
      await stop();
      throw new Error(`${command} did not answer within ${STARTUP_MS / 1000} s\n${output.join('\n')}`);
    }
    try {
      const res = await fetch(`${url}/v2/models/mlp/infer`, { method: 'POST', body: probeBody, headers: { 'content-type': 'application/json' } });
      if (res.status === 200) return { url, child, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
