import { z } from 'zod/v4';
import { ParametersSchema } from './inference-protocol.js';

/** A model's state in the repository index (Triton's model repository extension). */
export const ModelStateSchema = z.enum(['READY', 'UNAVAILABLE']);
export type ModelState = z.infer<typeof ModelStateSchema>;

/** One entry of `POST /v2/repository/index`: a loaded version, or a model in a repository that is not loaded (version ''). */
export const RepositoryIndexEntrySchema = z.object({
  name: z.string(),
  version: z.string(),
  state: ModelStateSchema,
  reason: z.string(),
});
export type RepositoryIndexEntry = z.infer<typeof RepositoryIndexEntrySchema>;

/** The optional body of `POST /v2/repository/index`: `ready: true` lists only the models ready to serve. */
export const RepositoryIndexRequestSchema = z.object({ ready: z.boolean().optional() }).prefault({});
export type RepositoryIndexRequest = z.infer<typeof RepositoryIndexRequestSchema>;

/** The optional body of `POST /v2/repository/models/{m}/load` and `/unload` (Triton's `parameters`, accepted and unused). */
export const RepositoryModelRequestSchema = z.object({ parameters: ParametersSchema.optional() }).prefault({});
