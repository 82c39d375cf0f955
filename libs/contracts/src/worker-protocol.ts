import { z } from 'zod/v4';
import { ModelNameSchema, ModelReplicasSchema, ModelSpecSchema, ModelVersionSchema } from './model-spec.js';
import { ParametersSchema } from './inference-protocol.js';
import { TensorMapSchema, TensorSpecSchema } from './tensor.js';

/**
 * The messages between coordinator and worker, carried by @infermesh/transport as RPC methods.
 * Each method has one request schema and one response schema; both sides import these.
 */
/** A worker-channel address in config and flags: `host:port` or a full `ws://` / `wss://` URL. */
export const PeerAddressSchema = z
  .string()
  .min(1)
  .transform((s) => (/^wss?:\/\//.test(s) ? s : `ws://${s}`))
  .pipe(z.url({ protocol: /^wss?$/ }));

/**
 * TLS of the worker channel, as PEM file paths, the same keys on coordinator and worker. `cert` and `key`:
 * this side's certificate, served by its listener and presented as a client certificate when it dials.
 * `ca`: the CA the other side's certificate must chain to. `mutual`: the listener requires a client
 * certificate from `ca` (mutual TLS). With `tls` set every worker-channel connection is `wss`.
 */
export const ChannelTlsSchema = z
  .object({
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
    ca: z.string().min(1).optional(),
    mutual: z.boolean().default(false),
  })
  .refine((t) => (t.cert === undefined) === (t.key === undefined), { message: 'give the TLS cert and key together', path: ['key'] })
  .refine((t) => !t.mutual || t.ca !== undefined, { message: 'mutual TLS needs the CA of the client certificates (ca)', path: ['ca'] });
export type ChannelTls = z.output<typeof ChannelTlsSchema>;

/**
 * Membership on etcd, the same keys on coordinator and worker (absent: no etcd, today's one-machine
 * behaviour). Workers register under `prefix + "workers/" + id` with a lease of `leaseTtlS`;
 * coordinators watch that prefix and dial every worker they have no channel to.
 */
export const ClusterEtcdSchema = z
  .object({
    /** `http://host:2379`, or `https://` with `tls.ca`; all one scheme. */
    endpoints: z.array(z.url({ protocol: /^https?$/ })).min(1),
    prefix: z.string().min(1).max(200).regex(/\/$/, 'ends with /').default('/infermesh/'),
    leaseTtlS: z.int().min(2).max(3_600).default(10),
    /**
     * TLS to etcd, PEM files: `ca` verifies etcd's server certificate (required by `https://` endpoints),
     * `cert` + `key` a client certificate for etcd's `--client-cert-auth` (the key file mode 0600).
     */
    tls: z
      .object({ ca: z.string().min(1), cert: z.string().min(1).optional(), key: z.string().min(1).optional() })
      .refine((t) => (t.cert === undefined) === (t.key === undefined), { message: 'give the etcd client certificate and its key together', path: ['key'] })
      .optional(),
    /** etcd RBAC (`auth enable`): a user, and a file (mode 0600) holding its password. */
    auth: z.object({ username: z.string().min(1), passwordFile: z.string().min(1) }).optional(),
  })
  .superRefine((e, ctx) => {
    const secure = e.endpoints.filter((u) => u.startsWith('https:')).length;
    if (secure !== 0 && secure !== e.endpoints.length) {
      ctx.addIssue({ code: 'custom', path: ['endpoints'], message: 'mixes http:// and https:// etcd endpoints' });
    } else if (secure !== 0 && e.tls === undefined) {
      ctx.addIssue({ code: 'custom', path: ['tls', 'ca'], message: 'https:// etcd endpoints need the CA of etcd\'s certificate (--etcd-ca)' });
    } else if (secure === 0 && e.tls !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['endpoints'], message: 'etcd TLS files are given but the endpoints are http://: use https://' });
    }
  });
export type ClusterEtcd = z.output<typeof ClusterEtcdSchema>;

/** What a worker registers in etcd: where coordinators dial it. */
export const ClusterWorkerSchema = z.object({ url: PeerAddressSchema });
export type ClusterWorker = z.output<typeof ClusterWorkerSchema>;
/** The key prefix of the workers under a cluster prefix. */
export const clusterWorkersPrefix = (prefix: string): string => `${prefix}workers/`;

/** W3C Trace Context `traceparent`: `version-traceid-parentid-flags`, lowercase hex. */
export const TraceparentSchema = z
  .string()
  .max(64)
  .regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/, 'a W3C traceparent');

/**
 * The steps of a model's request path. A model worker can run them all in one call (co-located) or
 * only `model`; a processor runs `preprocess` and `postprocess` (disaggregated inference).
 */
export const STAGES = ['preprocess', 'model', 'postprocess'] as const;
export const StageSchema = z.enum(STAGES);
export type Stage = z.infer<typeof StageSchema>;

/** What a worker is for: `model` workers hold model sessions; `processor`s run only pre- and post-processing. */
export const WorkerRoleSchema = z.enum(['model', 'processor']);
export type WorkerRole = z.infer<typeof WorkerRoleSchema>;

/** Who runs a batch of `stage`: processors pre- and post-process; model workers run whole requests and the model stage. */
export function roleOfStage(stage: Stage | 'all' | undefined): WorkerRole {
  return stage === 'preprocess' || stage === 'postprocess' ? 'processor' : 'model';
}

/** The tensors one stage reads and writes, as the worker that runs it built it. */
export const StageSignatureSchema = z.object({
  inputs: z.array(TensorSpecSchema).max(256),
  outputs: z.array(TensorSpecSchema).max(256),
});
export type StageSignature = z.infer<typeof StageSignatureSchema>;

/** The stages of one model a worker can run, each with its signature. */
export const ModelStagesSchema = z.object({
  preprocess: StageSignatureSchema.optional(),
  model: StageSignatureSchema.optional(),
  postprocess: StageSignatureSchema.optional(),
});
export type ModelStages = z.infer<typeof ModelStagesSchema>;

/**
 * What the placement leader needs of one model of a worker's repository, loaded or not: its `replicas`
 * ask (absent: none, the model is loaded as the worker's model control says) and the memory it takes
 * when loaded, estimated by its model files' size on disk.
 */
export const PlaceableModelSchema = z.object({
  name: ModelNameSchema,
  replicas: ModelReplicasSchema.optional(),
  memoryBytes: z.int().min(0),
});
export type PlaceableModel = z.infer<typeof PlaceableModelSchema>;

export const WorkerInfoSchema = z.object({
  workerId: z.string().min(1).max(128),
  pid: z.int(),
  /** Batches the worker runs at once; the coordinator keeps no more than this in flight to it. */
  maxConcurrency: z.int().min(1).max(1024),
  models: z.array(ModelSpecSchema).max(1024),
  /** The shards of each model (by `name:version`) this worker holds; absent means all. */
  shards: z.record(z.string(), z.array(z.int().min(0))).default({}),
  role: WorkerRoleSchema.default('model'),
  /**
   * Per model (`name:version`), the stages this worker can run and the tensors each reads and writes,
   * so the coordinator can check that a processor's pipelines fit the model workers' sessions.
   */
  stages: z.record(z.string(), ModelStagesSchema).default({}),
  /**
   * The models (by name) in this worker's repository that it can load on request (`load`), whether loaded
   * now or not: the coordinator's repository index and where it sends `load` and `unload`.
   */
  repository: z.array(ModelNameSchema).max(4096).default([]),
  /**
   * The memory this worker offers to models, bytes (`--memory-mb`): the placement leader loads no more
   * onto it than this, counting each loaded model's `placeable` estimate. Absent (an older worker): no limit.
   */
  memoryBytes: z.int().min(1).optional(),
  /** The models of `repository` the worker could read, with what placing them needs (an unreadable manifest is left out). */
  placeable: z.array(PlaceableModelSchema).max(4096).default([]),
});
export type WorkerInfo = z.infer<typeof WorkerInfoSchema>;

export const DescribeRequestSchema = z.object({});
export type DescribeRequest = z.infer<typeof DescribeRequestSchema>;

/** One client request inside a batch: its inputs keep their own batch dimension. */
export const InferItemSchema = z.object({
  id: z.string().max(256),
  inputs: TensorMapSchema,
  parameters: ParametersSchema.default({}),
  /** Output names to answer with; empty means the stage's own outputs (all the model's, for `all`). */
  outputs: z.array(z.string()).max(64).default([]),
});
export type InferItem = z.infer<typeof InferItemSchema>;

export const InferBatchRequestSchema = z.object({
  model: ModelNameSchema,
  version: ModelVersionSchema,
  items: z.array(InferItemSchema).min(1).max(65_536),
  /**
   * What to run on each item. `all` (co-located): pre-processing, the model, post-processing, from the
   * client's tensors to its answer. One stage (disaggregated): `preprocess` answers the model's session
   * inputs, `model` takes those and answers the session outputs, `postprocess` takes those and answers
   * the model's declared outputs.
   */
  stage: z.enum(['all', ...STAGES]).default('all'),
  /** W3C trace context of the batch's first item (the coordinator's transport span), for the worker's spans. */
  traceparent: TraceparentSchema.optional(),
});
export type InferBatchRequest = z.infer<typeof InferBatchRequestSchema>;
export type InferBatchRequestInput = z.input<typeof InferBatchRequestSchema>;

/**
 * A span the worker measured (pre-processing, inference, post-processing), returned with its answer so
 * the coordinator can hang it under its transport span. Times are epoch ms by the worker's clock. The
 * same shape as @infermesh/telemetry's `RemoteSpan`, defined here because contracts import only zod.
 */
export const WorkerSpanSchema = z.object({
  name: z.string().min(1).max(256),
  startMs: z.number().nonnegative(),
  durationMs: z.number().nonnegative(),
  attributes: z.record(z.string().min(1).max(256), z.union([z.string().max(4096), z.number(), z.boolean()])).optional(),
});
export type WorkerSpan = z.infer<typeof WorkerSpanSchema>;

export const ItemErrorSchema = z.object({ code: z.string(), message: z.string() });

/** Per item: its outputs, or its own error, so one bad request never fails its batch-mates. */
export const InferItemResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), outputs: TensorMapSchema }),
  z.object({ ok: z.literal(false), error: ItemErrorSchema }),
]);
export type InferItemResult = z.infer<typeof InferItemResultSchema>;

/**
 * Where a batch's time went on the worker, per stage it ran (absent: not run): pre-processing, the model
 * session, post-processing. The coordinator's statistics (`compute_input`, `compute_infer`,
 * `compute_output`) come from these.
 */
export const BatchTimingsSchema = z.object({
  preprocessMs: z.number().nonnegative().optional(),
  inferenceMs: z.number().nonnegative().optional(),
  postprocessMs: z.number().nonnegative().optional(),
});
export type BatchTimings = z.infer<typeof BatchTimingsSchema>;

export const InferBatchResponseSchema = z.object({
  items: z.array(InferItemResultSchema),
  /** Time the worker spent on the batch, for telemetry. */
  computeMs: z.number().nonnegative(),
  /** The time of each stage the batch ran, always measured. */
  timings: BatchTimingsSchema.optional(),
  /** The worker's spans of this batch, when the request carried a `traceparent`. */
  spans: z.array(WorkerSpanSchema).max(64).optional(),
});
export type InferBatchResponse = z.infer<typeof InferBatchResponseSchema>;

/**
 * The worker channel as a method table. The coordinator calls `describe` on every new connection
 * (whichever side dialled), `infer` for each batch, `load` / `unload` for explicit model control; a
 * stopping worker calls `drain`.
 */
/** A worker about to stop: the coordinator sends it no new batches and lets it finish the ones it has. */
export const DrainRequestSchema = z.object({ workerId: z.string().min(1).max(128) });
export const DrainResponseSchema = z.object({ accepted: z.boolean() });

/**
 * A worker's description changed (it loaded or dropped a model, whichever coordinator asked): it tells
 * every coordinator connected to it at once, rather than at their next health check.
 */
export const ChangedResponseSchema = z.object({});

/**
 * Explicit model control: the coordinator asks a worker to load a model from its repository (every
 * version its version policy selects, read afresh from disk) or to drop it (after its batches in flight
 * are answered). The answer is the worker's description as it is now.
 */
export const ModelControlRequestSchema = z.object({ model: ModelNameSchema });
export type ModelControlRequest = z.infer<typeof ModelControlRequestSchema>;

export const workerProtocol = {
  describe: { request: DescribeRequestSchema, response: WorkerInfoSchema },
  infer: { request: InferBatchRequestSchema, response: InferBatchResponseSchema },
  /** Called by the coordinator: load a model of the worker's repository. */
  load: { request: ModelControlRequestSchema, response: WorkerInfoSchema },
  /** Called by the coordinator: drop a model (its in-flight batches answered first). */
  unload: { request: ModelControlRequestSchema, response: WorkerInfoSchema },
  /** Called by the worker on the coordinator. */
  drain: { request: DrainRequestSchema, response: DrainResponseSchema },
  /** Called by the worker on every coordinator connected to it, after a load or unload: its new description. */
  changed: { request: WorkerInfoSchema, response: ChangedResponseSchema },
} as const;
export type WorkerProtocol = typeof workerProtocol;
