import { z } from 'zod/v4';
import { ModelReplicasSchema, ModelSpecSchema } from '@infermesh/contracts';

/** Which numbered version folders of a model are served, as Triton's `version_policy`. */
export const VersionPolicySchema = z.union([
  /** The `latest` highest-numbered versions. */
  z.strictObject({ latest: z.int().min(1) }),
  /** Every version folder. */
  z.strictObject({ all: z.literal(true) }),
  /** Exactly these versions; each must exist. */
  z.strictObject({ specific: z.array(z.int().min(1).max(999_999_999)).min(1) }),
]);
export type VersionPolicy = z.infer<typeof VersionPolicySchema>;

/** A file name inside a version folder: no path separators, so a manifest cannot point outside its model. */
const ModelFileNameSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^/\\]+$/, 'a file name, without a folder')
  .refine((f) => f !== '.' && f !== '..', 'a file name, not . or ..');

/**
 * The `manifest.yaml` of one model folder: a model spec without `version` (versions are the numbered
 * sub-folders) plus the model file's name, the version policy, and how many workers should serve it
 * (`replicas`, a deployment ask the placement leader reconciles; not part of the spec clients see).
 */
export const ModelManifestSchema = ModelSpecSchema.omit({ version: true }).extend({
  file: ModelFileNameSchema.default('model.onnx'),
  versionPolicy: VersionPolicySchema.default({ latest: 1 }),
  replicas: ModelReplicasSchema.optional(),
});
export type ModelManifest = z.infer<typeof ModelManifestSchema>;
export type ModelManifestInput = z.input<typeof ModelManifestSchema>;
