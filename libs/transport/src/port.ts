import { randomUUID } from 'node:crypto';
import type { MessagePort } from 'node:worker_threads';
import { PortCarrier } from './carrier.js';
import type { MethodTable } from './method-table.js';
import { parseOptions, PortOptionsSchema, type PortOptions } from './options.js';
import { kAttach, Peer } from './peer.js';

/**
 * A peer over a MessagePort: the same RPC (calls, answers, cancels, deadlines, typed errors, schema
 * checks) between two threads of one process, with no socket and no encoding. Each side of a
 * `MessageChannel` (or a worker's `parentPort`-handed port) calls `connectPort` on its end. The peer is
 * open at once; it closes when either side closes it or the other thread ends.
 */
export function connectPort<P extends MethodTable>(port: MessagePort, options: PortOptions<P>): Peer<P> {
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
    },
  });
  peer[kAttach](new PortCarrier(port), `thread:${id}`);
  return peer;
}
