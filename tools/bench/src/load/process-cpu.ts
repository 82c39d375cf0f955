import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports process CPU time in clock ticks; 100 per second on every mainstream kernel config. */
const TICKS_PER_S = 100;

/**
 * CPU time (user + system) a process has used so far, in ms, from `/proc/PID/stat`; undefined where
 * there is no procfs or the process is gone. Resolution: one clock tick (10 ms), fine for steps of seconds.
 */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return parseCpuMs(stat);
}

/**
 * CPU time (user + system) one thread of a process has used so far, in ms, from `/proc/PID/task/TID/stat`;
 * undefined where it cannot be read. The main thread of a Node process is the one whose TID is its PID:
 * its event loop, where a server parses requests and writes answers.
 */
export function threadCpuMs(pid: number | undefined, tid: number): number | undefined {
  if (pid === undefined) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return parseCpuMs(stat);
}

/** What a CPU group counts: a whole process (every thread), or one thread of it. */
export type CpuSource = number | undefined | { pid: number | undefined; thread: number };

/** utime + stime of a `/proc/PID/stat` line, in ms. The command name (field 2) may hold spaces: parse after its ')'. */
export function parseCpuMs(stat: string, ticksPerS = TICKS_PER_S): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the name start at 3 (state); utime is field 14, stime 15.
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return ((utime + stime) * 1000) / ticksPerS;
}

/** The CPU time of a group of processes (or threads) together, in ms; undefined when any cannot be read. */
export function groupCpuMs(sources: ReadonlyArray<CpuSource>): number | undefined {
  let sum = 0;
  for (const source of sources) {
    const ms = typeof source === 'object' ? threadCpuMs(source.pid, source.thread) : processCpuMs(source);
    if (ms === undefined) return undefined;
    sum += ms;
  }
  return sum;
}

/** The pids of `root` and of every process below it (children, their children…), from /proc; [] without procfs. */
export function processTree(root: number | undefined, procDir = '/proc'): number[] {
  if (root === undefined) return [];
  const parentOf = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync(procDir).filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  for (const entry of entries) {
    try {
      const stat = readFileSync(`${procDir}/${entry}/stat`, 'utf8');
      // Field 4 (ppid) is the second after the command name's ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (Number.isInteger(ppid)) parentOf.set(Number(entry), ppid);
    } catch {
      // gone between readdir and read
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parentOf) if (ppid === tree[i] && !tree.includes(pid)) tree.push(pid);
  }
  return tree;
}

/**
 * Runs a load step and divides the CPU time (user + system) each group of processes spent during it by
 * the successful answers: CPU per answer holds better than req/s on a machine shared with other work.
 * `perAnswer` is undefined when a process could not be read (gone, no procfs) or nothing was answered.
 */
export async function cpuPerAnswer<K extends string, R extends { ok: number }>(
  groups: Readonly<Record<K, ReadonlyArray<CpuSource>>>,
  run: () => Promise<R>,
): Promise<{ result: R; perAnswer: Record<K, number> | undefined }> {
  const keys = Object.keys(groups) as K[];
  const sample = (): Array<number | undefined> => keys.map((k) => groupCpuMs(groups[k]));
  const before = sample();
  const result = await run();
  const after = sample();
  if (result.ok === 0) return { result, perAnswer: undefined };
  const perAnswer = {} as Record<K, number>;
  for (const [i, k] of keys.entries()) {
    const a = after[i];
    const b = before[i];
    if (a === undefined || b === undefined) return { result, perAnswer: undefined };
    perAnswer[k] = (a - b) / result.ok;
  }
  return { result, perAnswer };
}
