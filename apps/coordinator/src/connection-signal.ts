import { setMaxListeners } from 'node:events';
import type { Duplex } from 'node:stream';

/**
 * The signal that aborts when a connection closes: one per connection, made on its first inference, not
 * one per request. A client that goes away closes its socket, which cancels everything it has in flight
 * (one request, or several pipelined); a request that is answered leaves no listener behind, since every
 * step that listens removes its listener when it settles.
 */
const connectionSignals = new WeakMap<Duplex, AbortSignal>();
export function connectionSignal(socket: Duplex): AbortSignal {
  let signal = connectionSignals.get(socket);
  if (signal === undefined) {
    const abort = new AbortController();
    signal = abort.signal;
    // Pipelined requests each listen while in flight; admission (--max-in-flight) bounds them, not a listener count.
    setMaxListeners(0, signal);
    connectionSignals.set(socket, signal);
    if (socket.destroyed) abort.abort();
    else socket.once('close', () => abort.abort());
  }
  return signal;
}
