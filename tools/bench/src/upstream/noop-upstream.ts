import { createServer, type Server } from 'node:http';

interface OipInput {
  name?: unknown;
  datatype?: unknown;
  shape?: unknown;
  data?: unknown;
}

/** The noop model's answer to an Open Inference Protocol request: every input echoed as `output`. */
export function noopResponse(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const inputs = (parsed as { inputs?: unknown } | null)?.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) return undefined;
  const input = inputs[0] as OipInput;
  return JSON.stringify({
    model_name: 'noop',
    model_version: '1',
    outputs: [{ name: 'output', datatype: input.datatype, shape: input.shape, data: input.data }],
  });
}

/**
 * The least an HTTP server can do and still answer the noop request: parse the JSON body and echo the
 * input as a protocol response. nginx proxies to it, as the coordinator's "equivalent upstream".
 */
export function createNoopUpstream(): Server {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = noopResponse(Buffer.concat(chunks).toString('utf8'));
      if (answer === undefined) {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad request","code":"IM_BAD_REQUEST"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) }).end(answer);
    });
  });
  server.keepAliveTimeout = 60_000;
  return server;
}
