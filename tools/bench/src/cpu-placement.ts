import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { processTree } from './load/process-cpu.js';

/**
 * Which CPUs the load generator and the systems under test run on while the bench measures.
 *
 * `shared` (the default) leaves placement to the scheduler, as a user's machine does. Over loopback it
 * often puts a server on the CPU of the wrk that drives it: the same one-process coordinator build (noop,
 * 16 connections, 4 s windows after a 3 s warm-up) spent 303–349 µs of CPU per answer in three starts of four
 * and 186–253 µs in the fourth. `split` gives the load generator — the bench itself, its in-process load
 * loops and the wrk it spawns — the last CPU it may use, and every system under test (each process the
 * bench started, and theirs) the others, alike for the plain server, nginx and infermesh: ten starts of
 * thirteen then spent 161–222 µs, three 263–334 µs in their first window. Steadier, not steady: compare
 * builds over several starts, interleaved. It is not the default because on a 2-core machine it leaves the
 * system one core, and layouts of two processes lose on one core what they would win on two: the noop
 * coordinator with --processes 2 on one core spent 449–565 µs of CPU per answer against 264 µs for one
 * process (scratch measurements, 2026-12-05).
 */
export type CpuMode = 'split' | 'shared';

export interface CpuPlacement {
  /** taskset CPU lists. */
  readonly load: string;
  readonly system: string;
}

/** The CPUs in a kernel CPU list ("0-3,6"), as in /proc/PID/status Cpus_allowed_list. */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.trim().split(',').filter(Boolean)) {
    const [from, to = from] = part.split('-').map(Number) as [number, number?];
    if (!Number.isInteger(from) || !Number.isInteger(to) || to < from) throw new TypeError(`not a CPU list: "${list}"`);
    for (let cpu = from; cpu <= to; cpu++) cpus.push(cpu);
  }
  return cpus;
}

/** The CPUs process `pid` may run on. */
export function allowedCpus(pid: number | 'self' = 'self'): number[] {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^Cpus_allowed_list:\s*(.+)$/m);
  if (!line) throw new Error(`/proc/${pid}/status has no Cpus_allowed_list`);
  return parseCpuList(line[1] as string);
}

/** The split of `cpus`: the last for the load generator, the rest for the system; none below 2 CPUs. */
export function splitCpus(cpus: readonly number[]): CpuPlacement | undefined {
  if (cpus.length < 2) return undefined;
  return { load: `${cpus[cpus.length - 1]}`, system: cpus.slice(0, -1).join(',') };
}

/** Throws, naming the Debian package, when taskset cannot be run. */
export function requireTaskset(): void {
  const probe = spawnSync('taskset', ['-V'], { stdio: 'ignore' });
  if (probe.error) throw new Error(`taskset not found: it comes from the Debian package util-linux (or run the bench with --cpus shared)`, { cause: probe.error });
}

/**
 * Pins every thread of `pid` to `cpus` (a taskset list); false when the process is gone (taskset -a
 * exits 0 for a pid it cannot find, so the answer is read back from /proc).
 */
export function pin(pid: number, cpus: string): boolean {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpus, `${pid}`], { stdio: 'ignore' });
    return allowedCpus(pid).join(',') === parseCpuList(cpus).join(',');
  } catch {
    return false;
  }
}

/**
 * Places the bench for a measurement: its own threads on the load CPU, every process it started (and
 * theirs) on the system CPUs. Called before each step, so processes started since are placed too. A
 * process the bench starts later inherits the load CPU until the next step places it.
 */
export function placeForMeasurement(placement: CpuPlacement): void {
  for (const pid of processTree(process.pid).slice(1)) pin(pid, placement.system);
  pin(process.pid, placement.load);
}
