import { createError, errorBase } from '@infermesh/foundation';

/** Every error code this library throws. The README documents each one; a test keeps them in sync. */
export const HOST_ERROR_CODES = ['IM_HOST_THREAD_FAILED'] as const;
export type HostErrorCode = (typeof HOST_ERROR_CODES)[number];

export class HostError extends errorBase<HostErrorCode>('HostError') {}

/** An embedded worker thread could not load its models (the cause's own code, when it has one, leads the message). */
export class HostThreadError extends createError(HostError, 'IM_HOST_THREAD_FAILED', 'HostThreadError', (id: string, cause: string | undefined, message: string) => `embedded worker ${id} did not start: ${cause ? `${cause}: ` : ''}${message}`) {}
