import { readFileSync } from 'node:fs';

/**
 * Whether process `pid` still runs (signal 0: nothing is sent). A zombie (exited, not yet reaped: an
 * orphan waits for whatever init adopted it) has ended, so it counts as gone. Linux (`/proc`).
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/PID/stat: "pid (comm) state …"; comm may hold spaces and parentheses, the state follows the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}
