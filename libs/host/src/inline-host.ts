import { parseOptions } from '@infermesh/foundation';
import { LocalChannel, type LocalPort } from '@infermesh/transport';
import { HostThreadError } from './errors.js';
import { serveHost } from './host-service.js';
import { HostThreadOptionsSchema, type HostThreadOptions } from './thread-options.js';

const INLINE_UNCHECKED: readonly string[] = ['infer'];

/** An inline worker: models served on the caller's own thread, reached through one end of a LocalChannel. */
export interface InlineHost {
  readonly id: string;
  /**
   * The caller's end: hand it to transport's `connectPort`, with `uncheckedAnswers`. Its `infer` calls are
   * taken as sent, unchecked (transport's `uncheckedCalls`), so send the parsed form, `InferBatchRequest`
   * with `stage` and each item's `parameters` and `outputs` filled in, as the coordinator's lanes do: the
   * schema walk of a batch, not its tensors, was about 30 µs per batch in a busy coordinator, most of the
   * cost of a batch of one. Every other method is checked.
   */
  readonly port: LocalPort;
  /**
   * `infer`: the caller may take its answers unchecked. They come from this library's own code on the
   * caller's thread, and a coordinator checks each answer against the model's declared outputs itself;
   * the schema walk per batch was a visible share of an answer's CPU.
   */
  readonly uncheckedAnswers: readonly string[];
  /** Closes the channel; the host unloads its models. */
  stop(): Promise<void>;
}

/**
 * Loads a model repository on this thread and serves the worker protocol on a LocalChannel: an embedded
 * worker without a thread switch per batch. ONNX Runtime then runs on the caller's thread (its
 * intra-op threads aside), so this suits small models, where a batch costs less than a hand-over to
 * another thread; a heavy model belongs on `startHostThread`. Takes the same options; rejects with
 * `IM_HOST_THREAD_FAILED` (the cause's code in the message) if the models do not load.
 */
export async function startInlineHost(options: HostThreadOptions): Promise<InlineHost> {
  const o = parseOptions(HostThreadOptionsSchema, options, 'startInlineHost');
  const channel = new LocalChannel();
  let closed!: () => void;
  const unloaded = new Promise<void>((resolve) => (closed = resolve));
  try {
    await serveHost(o, channel.port2, () => closed(), INLINE_UNCHECKED);
  } catch (error) {
    const code = (error as { code?: unknown })?.code;
    throw new HostThreadError(o.id, typeof code === 'string' ? code : undefined, error instanceof Error ? error.message : String(error));
  }
  return {
    id: o.id,
    port: channel.port1,
    uncheckedAnswers: INLINE_UNCHECKED,
    stop: async () => {
      channel.port1.close(1001, 'stopping');
      await unloaded;
    },
  };
}
