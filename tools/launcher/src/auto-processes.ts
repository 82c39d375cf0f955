import { availableParallelism } from 'node:os';

/**
 * `processes: auto`: one coordinator process per core, at most two. Two processes served the demo MLP
 * 1.5× faster than one on a 2-core machine at 64 connections and as fast at 1 (the README's "Hot path");
 * more were not measured. One core gets one process: two would share it and add the cost of the group.
 */
export function autoProcesses(cores = availableParallelism()): number {
  return Math.max(1, Math.min(2, cores));
}
