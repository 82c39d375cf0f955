import { createServer } from 'node:net';

/**
 * A loopback port free now: the OS's pick, bound and released. For a server that must be told its port
 * (it cannot listen on 0 and report it), or for a port where nothing listens.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
