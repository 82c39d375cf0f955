import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What one request carried, as a load generator's test checks it: its path, its headers that matter, its body byte for byte. */
export interface SeenRequest { path: string | undefined; contentType: string | undefined; headerLength: string | undefined; body: Buffer }

export interface RecordingServer {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  /** Every request, in the order its body ended. */
  seen: SeenRequest[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on loopback that records every request and answers `{}`, for the tests of the
 * load generators (their bytes on a real socket). `status` picks a request's status (default 200),
 * given what was seen so far, the request included.
 */
export async function startRecordingServer(status: (req: IncomingMessage, seen: readonly SeenRequest[]) => number = () => 200): Promise<RecordingServer> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headerLength = req.headers['inference-header-content-length'];
      seen.push({ path: req.url, contentType: req.headers['content-type'], headerLength: Array.isArray(headerLength) ? headerLength[0] : headerLength, body: Buffer.concat(chunks) });
      res.statusCode = status(req, seen);
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
