import { randomUUID } from 'node:crypto';
import type { MessagePort } from 'node:worker_threads';
import { LocalCarrier, LocalPort, PortCarrier } from './carrier.js';
import type { MethodTable } from './method-table.js';
import { parseOptions, PortOptionsSchema, type PortOptions } from './options.js';
import { kAttach, Peer } from './peer.js';

/**
 * A peer over a MessagePort: the same RPC (calls, answers, cancels, deadlines, typed errors, schema
 * checks) between two threads of one process, with no socket and no encoding. Each side of a
 * `MessageChannel` (or a worker's `parentPort`-handed port) calls `connectPort` on its end. The peer is
 * open at once; it closes when either side closes it or the other thread ends.
 *
 * Given an end of a `LocalChannel` instead, both peers share one thread: frames pass by reference in a
 * microtask (no clone, no thread switch), with the same calls, deadlines and payload checks.
 */
export function connectPort<P extends MethodTable>(port: MessagePort | LocalPort, options: PortOptions<P>): Peer<P> {
  const o = parseOptions(PortOptionsSchema, options, 'connectPort');
  const id = o.id ?? randomUUID();
  const peer = new Peer<P>({
    id,
    protocol: o.protocol as P,
    handlers: o.handlers,
    settings: {
      heartbeatIntervalMs: 0,
      heartbeatTimeoutMs: 1,
      maxPendingCalls: o.maxPendingCalls,
      maxBufferedBytes: Number.MAX_SAFE_INTEGER,
      timeoutMs: o.timeoutMs,
      closeTimeoutMs: o.closeTimeoutMs,
      uncheckedAnswers: new Set(o.uncheckedAnswers),
      uncheckedCalls: new Set(o.uncheckedCalls),
    },
  });
  peer[kAttach](port instanceof LocalPort ? new LocalCarrier(port) : new PortCarrier(port), `${port instanceof LocalPort ? 'local' : 'thread'}:${id}`);
  return peer;
}
