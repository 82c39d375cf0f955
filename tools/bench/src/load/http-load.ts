import type { LoadResult, OnAnswer } from './load-result.js';

/** A request body with the headers that go with it (content type, the binary extension's header length). */
export interface HttpBody {
  body: string | Buffer;
  headers: Readonly<Record<string, string>>;
}

/** What an HTTP load step sends, for either load generator (autocannon-run.ts, wrk-run.ts). */
export interface HttpLoadOptions {
  url: string;
  /**
   * Bodies POSTed in turn; one body means identical requests. A string is a JSON body
   * (`content-type: application/json`); an `HttpBody` brings its own headers.
   */
  bodies: ReadonlyArray<string | HttpBody>;
  /**
   * `per-connection` (default): every connection walks the bodies from the first, so connections
   * send the same body at about the same time. `shared`: one turn for all connections, so requests
   * in flight together are distinct as long as there are more bodies than connections.
   */
  rotation?: 'per-connection' | 'shared';
  connections: number;
  durationS: number;
  /** Stop after this many requests instead of after `durationS` (a warm-up measured in work, not time). autocannon only. */
  amount?: number | undefined;
  /** Called on every answer (autocannon only: wrk reports once, at the end of the step). */
  onAnswer?: OnAnswer;
}

/** A load generator: runs one step and says what it measured. */
export type HttpLoadGenerator = (options: HttpLoadOptions) => Promise<LoadResult>;

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

/** A body with its headers: a string is JSON. */
export const withHeaders = (body: string | HttpBody): HttpBody => (typeof body === 'string' ? { body, headers: JSON_HEADERS } : body);
