import type { z } from 'zod/v4';
import type { RegistryIssue } from './errors.js';

/** Keeps only what a reader needs from zod issues: where and what. */
export function toRegistryIssues(error: z.ZodError): RegistryIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: issue.message,
  }));
}
