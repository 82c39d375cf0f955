import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '../fixtures.js';

/** The bed's hosts: A runs etcd, Redis and HAProxy; B and C a coordinator each; D and E a worker each. */
export const HOSTS = ['a', 'b', 'c', 'd', 'e'] as const;
export type HostName = (typeof HOSTS)[number];

export interface Host {
  name: HostName;
  /** Its network namespace. */
  ns: string;
  ip: string;
}

const NAME_PREFIX = 'imbed-';
const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const quiet = (fn: () => unknown): void => {
  try {
    fn();
  } catch {
    /* already gone */
  }
};
/** Kills every process left in a namespace, then deletes it (and with it its veth ends). */
function removeNamespace(ns: string): void {
  quiet(() => {
    for (const pid of ip('netns', 'pids', ns).split('\n').filter(Boolean)) quiet(() => process.kill(Number(pid), 'SIGKILL'));
  });
  quiet(() => ip('netns', 'del', ns));
}

/** Namespaces of an earlier run whose test process is gone (it crashed before its cleanup ran). */
function sweepLeftovers(): void {
  let list = '';
  quiet(() => (list = ip('netns', 'list')));
  for (const line of list.split('\n')) {
    const ns = line.split(' ')[0] ?? '';
    const match = /^imbed-(\d+)-/.exec(ns);
    if (match && !processAlive(Number(match[1]))) removeNamespace(ns);
  }
}

/**
 * Five "hosts" on one machine: Linux network namespaces, each with its own address on a bridge that
 * lives in a sixth namespace (the switch), so the machine's own network is touched by one veth only: the
 * test process's link to the bridge (`clientIp`). Created and removed by the tests (root); a run that
 * crashes is swept by the next one (the namespaces are named after the test process's pid), and an exit
 * hook removes them even when afterAll does not run.
 */
export class TestBed {
  readonly hosts: Record<HostName, Host>;
  readonly clientIp: string;
  readonly dir: string;
  readonly #switch: string;
  readonly #rootLink: string;
  readonly #children = new Set<ChildProcess>();
  #destroyed = false;
  readonly #onExit = (): void => this.destroy();
  /** A trap: on SIGINT or SIGTERM the bed is removed, then the signal does what it would have done. */
  readonly #onSignal = (signal: NodeJS.Signals): void => {
    this.destroy();
    process.kill(process.pid, signal);
  };

  private constructor() {
    const run = `${process.pid}-${Math.random().toString(16).slice(2, 6)}`;
    // 10.213.N.0/24: a subnet that exists only inside this bed's namespaces.
    const net = `10.213.${process.pid % 250}`;
    this.hosts = Object.fromEntries(HOSTS.map((h, i) => [h, { name: h, ns: `${NAME_PREFIX}${run}-${h}`, ip: `${net}.${i + 1}` }])) as Record<HostName, Host>;
    this.clientIp = `${net}.100`;
    this.#switch = `${NAME_PREFIX}${run}-sw`;
    this.#rootLink = `imb${run.replace('-', '').slice(-10)}`.slice(0, 15);
    this.dir = mkdtempSync(join(tmpdir(), 'im-bed-'));
  }

  static create(): TestBed {
    if (process.getuid?.() !== 0) throw new Error('the multi-host test bed needs root (ip netns)');
    sweepLeftovers();
    const bed = new TestBed();
    process.once('exit', bed.#onExit);
    process.once('SIGINT', bed.#onSignal);
    process.once('SIGTERM', bed.#onSignal);
    try {
      bed.#build();
    } catch (error) {
      bed.destroy();
      throw error;
    }
    return bed;
  }

  #build(): void {
    const sw = this.#switch;
    ip('netns', 'add', sw);
    ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', sw, 'link', 'set', 'br0', 'up');
    for (const host of Object.values(this.hosts)) {
      ip('netns', 'add', host.ns);
      ip('-n', host.ns, 'link', 'set', 'lo', 'up');
      ip('link', 'add', 'eth0', 'netns', host.ns, 'type', 'veth', 'peer', 'name', `v${host.name}`, 'netns', sw);
      ip('-n', sw, 'link', 'set', `v${host.name}`, 'master', 'br0');
      ip('-n', sw, 'link', 'set', `v${host.name}`, 'up');
      ip('-n', host.ns, 'addr', 'add', `${host.ip}/24`, 'dev', 'eth0');
      ip('-n', host.ns, 'link', 'set', 'eth0', 'up');
    }
    ip('link', 'add', this.#rootLink, 'type', 'veth', 'peer', 'name', 'vclient', 'netns', sw);
    ip('-n', sw, 'link', 'set', 'vclient', 'master', 'br0');
    ip('-n', sw, 'link', 'set', 'vclient', 'up');
    ip('addr', 'add', `${this.clientIp}/24`, 'dev', this.#rootLink);
    ip('link', 'set', this.#rootLink, 'up');
  }

  /** Starts a program on a host; it is killed when the bed is destroyed. */
  spawn(host: HostName, command: string, args: string[]): ChildProcess & { output: string[] } {
    const child = spawn('ip', ['netns', 'exec', this.hosts[host].ns, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }) as ChildProcess & { output: string[] };
    child.output = [];
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => {
      child.output.push(chunk.toString());
      if (child.output.length > 200) child.output.shift();
    });
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    return child;
  }

  /** Cuts (or restores) a host's only link, as a pulled cable would. */
  link(host: HostName, state: 'up' | 'down'): void {
    ip('-n', this.hosts[host].ns, 'link', 'set', 'eth0', state);
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    process.off('exit', this.#onExit);
    process.off('SIGINT', this.#onSignal);
    process.off('SIGTERM', this.#onSignal);
    for (const child of this.#children) quiet(() => child.kill('SIGKILL'));
    for (const host of Object.values(this.hosts)) removeNamespace(host.ns);
    removeNamespace(this.#switch);
    quiet(() => ip('link', 'del', this.#rootLink));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
