/**
 * The noop upstream as its own process, so it does not share an event loop with the load generator
 * (the coordinator it is compared with is a process of its own too). Logs one JSON line when ready.
 */
import { createNoopUpstream } from './noop-upstream.js';

const server = createNoopUpstream();
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ level: 30, msg: 'upstream listening', port })}\n`);
});
const stop = (): void => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
