import type { WorkerChannelErrorCode } from '@infermesh/contracts';

/** The coordinator refused its worker channel's config, or refused or ejected a worker (contracts' `WORKER_CHANNEL_ERRORS`). */
export class WorkerChannelError extends Error {
  override readonly name = 'WorkerChannelError';
  constructor(readonly code: WorkerChannelErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
