/**
 * The plain server as its own process: `plain-server-main.ts MODEL.onnx [PORT]` (port 0, the default,
 * takes a free one). Logs one JSON line when listening, as upstream/main.ts does.
 */
import * as ort from 'onnxruntime-node';
import { createPlainServer } from './plain-server.js';

const [modelPath, portArg = '0'] = process.argv.slice(2);
const port = Number(portArg);
if (!modelPath || !Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write('usage: plain-server-main.ts MODEL.onnx [PORT]\n');
  process.exit(2);
}
// One intra-op and one inter-op thread, as the workers run theirs: the comparison is of serving, not of
// ONNX Runtime's thread pool (whose spinning threads would also inflate the baseline's CPU per answer).
const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
const server = createPlainServer(session, { name: 'mlp', version: '1' });
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ level: 30, msg: 'plain server listening', port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
const stop = (): void => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
