import { createHash, timingSafeEqual } from 'node:crypto';

/** The header value the dialer sends on the upgrade request. */
export function bearerHeader(secret: string): string {
  return `Bearer ${secret}`;
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Compares the upgrade request's Authorization header with the secret in constant time. Both sides
 * are hashed first so that timingSafeEqual gets equal lengths and the secret's length does not leak.
 */
export function isAuthorized(header: string | undefined, secretDigest: Buffer): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false;
  return timingSafeEqual(digest(header.slice('Bearer '.length)), secretDigest);
}

export function secretDigest(secret: string): Buffer {
  return digest(secret);
}

/** The bearer token of an Authorization header, or undefined when there is none. */
export function bearerToken(header: string | undefined): string | undefined {
  return header !== undefined && header.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
}
