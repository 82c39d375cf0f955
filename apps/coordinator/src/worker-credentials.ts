import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { loadConfig, readPrivateFile } from '@infermesh/config';
import { z } from 'zod';

/**
 * A credentials file: worker id → its token (at least 16 characters), or `sha256:<hex>`, the SHA-256 of
 * the token, so the file need not hold the token itself. One token per worker id; two ids may not share one.
 */
const CredentialsFileSchema = z
  .record(
    z.string().min(1).max(128),
    z.string().refine((v) => (v.startsWith('sha256:') ? /^sha256:[0-9a-f]{64}$/.test(v) : v.length >= 16), {
      message: 'a token of at least 16 characters, or sha256:<64 lowercase hex digits>',
    }),
  )
  .refine((r) => Object.keys(r).length > 0, { message: 'no worker credentials' });

const sha256 = (token: string): string => createHash('sha256').update(token).digest('hex');
const digestOf = (entry: string): string => (entry.startsWith('sha256:') ? entry.slice('sha256:'.length) : sha256(entry));

/** Token digest → worker id, from the file. Throws a ConfigError when the file is unreadable, not private, or invalid. */
function readCredentials(file: string): Map<string, string> {
  readPrivateFile(file);
  const entries = loadConfig(CredentialsFileSchema, { file });
  const byDigest = new Map<string, string>();
  for (const [workerId, entry] of Object.entries(entries)) {
    const digest = digestOf(entry);
    const other = byDigest.get(digest);
    if (other !== undefined) throw new TypeError(`${file}: workers ${other} and ${workerId} share a token; give each its own`);
    byDigest.set(digest, workerId);
  }
  return byDigest;
}

export type WorkerCredentialsEvents = {
  /** The file was read again; `revoked` are the worker ids whose token was removed or changed. */
  reloaded: [{ workers: number; revoked: string[] }];
  /** The file could not be read again; the credentials in force stay. */
  error: [Error];
};

/**
 * Per-worker credentials of the worker channel, from a file re-read on `reload()` (the coordinator
 * calls it on SIGHUP) and whenever the file changes, so one worker is revoked without a restart.
 * Tokens are kept only as SHA-256 digests; a token is looked up by its digest.
 */
export class WorkerCredentials extends EventEmitter<WorkerCredentialsEvents> {
  readonly file: string;
  #byDigest: Map<string, string>;
  #watcher: FSWatcher | undefined;
  #debounce: NodeJS.Timeout | undefined;

  /** Reads the file; throws (a ConfigError, or TypeError for a shared token) when it is not usable. */
  constructor(file: string) {
    super();
    this.file = file;
    this.#byDigest = readCredentials(file);
  }

  /** The worker id a token stands for, or undefined: the transport's `authenticate`. */
  readonly authenticate = (token: string | undefined): string | undefined =>
    token === undefined ? undefined : this.#byDigest.get(sha256(token));

  get size(): number {
    return this.#byDigest.size;
  }

  /** Reads the file again. On failure the credentials in force stay and `error` is emitted. */
  reload(): void {
    let next: Map<string, string>;
    try {
      next = readCredentials(this.file);
    } catch (error) {
      this.emit('error', error as Error);
      return;
    }
    const nextDigestOf = new Map([...next].map(([digest, id]) => [id, digest]));
    const revoked = [...this.#byDigest].filter(([digest, id]) => nextDigestOf.get(id) !== digest).map(([, id]) => id);
    this.#byDigest = next;
    this.emit('reloaded', { workers: next.size, revoked });
  }

  /**
   * Re-reads the file when it changes. The folder is watched, not the file, so that an editor's
   * write-then-rename (a new inode) is seen too; bursts of events are read once.
   */
  watch(debounceMs = 50): this {
    if (this.#watcher) return this;
    const name = basename(this.file);
    this.#watcher = watch(dirname(this.file), (_event, changed) => {
      if (changed !== null && changed !== name) return;
      clearTimeout(this.#debounce);
      this.#debounce = setTimeout(() => this.reload(), debounceMs);
    });
    this.#watcher.on('error', (error) => this.emit('error', error));
    return this;
  }

  close(): void {
    clearTimeout(this.#debounce);
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  override emit<K extends keyof WorkerCredentialsEvents>(event: K, ...args: WorkerCredentialsEvents[K]): boolean {
    // An unheard `error` is not a crash: the credentials in force stay.
    if (event === 'error' && this.listenerCount('error') === 0) return false;
    return super.emit(event, ...(args as never));
  }
}
