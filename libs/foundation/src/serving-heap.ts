import { setFlagsFromString } from 'node:v8';

/**
 * V8 flags for a process that serves requests: each app's main calls this at start-up.
 *
 * `--no-allocation-site-pretenuring`. V8 allocates objects straight into the old generation from an
 * allocation site whose objects often survive a scavenge. A request's objects survive one only when the
 * request is in flight at that moment, but that was enough for V8 to pretenure some sites of the request
 * path. Their old-born objects then held each request's young objects through every scavenge (a pointer
 * from the old generation counts as live until the next full collection, even from a dead object), so
 * every answer promoted its objects: 3.0–3.7 KB per answer, and scavenges copied them first. Without
 * pretenuring (demo MLP inline, wrk, `--trace-gc-nvp`): promoted 3.0 → 0.8–1.0 KB per answer and scavenge
 * pauses 14.6–15.2 → 8.6–11.4 µs per answer at 64 connections; 3.7 → 1.7 KB and 24.8 → 13.3 µs at 1.
 * A heap snapshot never showed it: it starts with a full collection, which frees those dead objects.
 * A worker process: promoted 455 → 27 B per answer, pauses 3.0 → 0.7 µs per answer (its batches are
 * larger, so it had less to lose). V8 reads the flag when it decides, at each collection, so setting it
 * at start-up is enough.
 */
export function tuneHeapForServing(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}
