import { errorBase } from './create-error.js';

/** A server of an app could not take its address at start: `IM_LISTEN_FAILED`, the OS error as its cause. */
export class ListenFailedError extends errorBase<'IM_LISTEN_FAILED'>('ListenFailedError') {}

/** The bind failures an operator fixes by choosing another address, each said in words. */
const REASONS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the port is in use (another infermesh, or another program, holds it)',
  EACCES: 'permission denied (a port below 1024 needs root or CAP_NET_BIND_SERVICE)',
  EADDRNOTAVAIL: 'the address is not one of this host\'s',
};

/** Which listener it is, the flag that sets its port, and the address asked for. */
export interface Listener {
  readonly what: string;
  readonly flag: string;
  readonly host: string;
  readonly port: number;
}

/**
 * Runs `bind`; a failure to take the address becomes `IM_LISTEN_FAILED` naming the listener, its flag, the
 * address and the reason ("coordinator: listen EADDRINUSE: address already in use 127.0.0.1:9100" did not
 * say which of three listeners, or which flag moves it). Any other error passes through unchanged.
 */
export async function listenAs<T>(listener: Listener, bind: () => Promise<T>): Promise<T> {
  try {
    return await bind();
  } catch (error) {
    const os = bindErrorCode(error);
    if (os === undefined) throw error;
    const { what, flag, host, port } = listener;
    throw new ListenFailedError('IM_LISTEN_FAILED', `${what} (${flag}) cannot listen on ${host}:${port}: ${REASONS[os]}`, { cause: error });
  }
}

function bindErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && Object.hasOwn(REASONS, code)) return code;
  // grpc-js says it only in the message: "No address added out of total 1 resolved errors: [listen EADDRINUSE: …]".
  const message = error instanceof Error ? error.message : '';
  return Object.keys(REASONS).find((c) => message.includes(`listen ${c}`));
}
