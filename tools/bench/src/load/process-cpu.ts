import { readFileSync } from 'node:fs';

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

/** utime + stime of a `/proc/PID/stat` line, in ms. The command name (field 2) may hold spaces: parse after its ')'. */
export function parseCpuMs(stat: string, ticksPerS = TICKS_PER_S): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the name start at 3 (state); utime is field 14, stime 15.
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return ((utime + stime) * 1000) / ticksPerS;
}

/** The CPU time of a group of processes together, in ms; undefined when any cannot be read. */
export function groupCpuMs(pids: ReadonlyArray<number | undefined>): number | undefined {
  let sum = 0;
  for (const pid of pids) {
    const ms = processCpuMs(pid);
    if (ms === undefined) return undefined;
    sum += ms;
  }
  return sum;
}
