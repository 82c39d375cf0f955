import { LazyAbort, type AbortLike } from '@infermesh/foundation';
import type { Duplex } from 'node:stream';

/**
 * What aborts when a connection closes: one per connection, made on its first inference, not one per
 * request. A client that goes away closes its socket, which cancels everything it has in flight (one
 * request, or several pipelined); a request that is answered leaves no listener behind, since every step
 * that listens removes its listener when it settles. A `LazyAbort`, not an AbortController: each request
 * adds and removes a listener on it, which on an AbortSignal cost about 3 µs per request (Node 20's
 * EventTarget), and on its plain array a fraction of one. Nothing on the path needs a real AbortSignal;
 * one is made if something reads `.signal`.
 */
const connectionAborts = new WeakMap<Duplex, LazyAbort>();
export function connectionSignal(socket: Duplex): AbortLike {
  let abort = connectionAborts.get(socket);
  if (abort === undefined) {
    const made = new LazyAbort();
    abort = made;
    connectionAborts.set(socket, made);
    if (socket.destroyed) made.abort();
    else socket.once('close', () => made.abort());
  }
  return abort;
}
