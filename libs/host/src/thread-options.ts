import { z } from 'zod/v4';

/** What an embedded worker thread is told to serve (the options of `startHostThread`, minus the port). */
export const HostThreadOptionsSchema = z.strictObject({
  /** Its name in the coordinator's status and logs. */
  id: z.string().min(1).max(256),
  /** The model repository folder it loads. */
  repository: z.string().min(1),
  /** Models to load; empty loads every model of the repository. */
  models: z.array(z.string().min(1)).default([]),
  role: z.enum(['model', 'processor']).default('model'),
  /** Batches it runs at once. */
  maxConcurrency: z.int().min(1).max(1024).default(2),
  /** ONNX Runtime threads per session, on top of the thread itself. */
  intraOpThreads: z.int().min(1).max(64).default(1),
  interOpThreads: z.int().min(1).max(64).default(1),
  /** How long loading its models may take before the start fails. */
  startTimeoutMs: z.int().min(1).max(600_000).default(120_000),
});
export type HostThreadOptions = z.input<typeof HostThreadOptionsSchema>;
export type ParsedHostThreadOptions = z.output<typeof HostThreadOptionsSchema>;

/** The thread's first message to its parent: its models are loaded and it answers on its port, or why not. */
export type HostThreadStatus = { ready: true } | { ready: false; code: string | undefined; message: string };
