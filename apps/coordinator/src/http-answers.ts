import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  errorBody, INFERENCE_HEADER_CONTENT_LENGTH, joinBinaryBody, tensorToBinary, tensorToJson, type ApiErrorCode, type InferRequestJson,
} from '@infermesh/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, toApiError } from './api-error.js';
import type { TensorAnswer } from './inference-service.js';

/**
 * How the HTTP API writes what it answers: an answer (JSON, or with the binary tensor data extension), a
 * refusal (the protocol's error body, the code's status and Retry-After), and the refusals of the HTTP
 * framework and of Node's HTTP parser, mapped to the same codes.
 */

/** The `IM_*` code each errored request was answered with, for its access-log line. */
const answeredCodes = new WeakMap<FastifyRequest, string>();

/** The code a request was refused with, or undefined when it was answered. */
export function answeredCode(request: FastifyRequest): string | undefined {
  return answeredCodes.get(request);
}

export function send(reply: FastifyReply, error: ApiError): FastifyReply {
  answeredCodes.set(reply.request, error.code);
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  return reply.code(error.spec.http).send(errorBody(error));
}

/** The HTTP framework's own refusals (body parsing, sizes, timeouts), by the status it chose, as documented codes. */
const FRAMEWORK_STATUS: Readonly<Record<number, ApiErrorCode>> = {
  400: 'IM_BAD_REQUEST', 404: 'IM_NOT_FOUND', 405: 'IM_METHOD_NOT_ALLOWED', 408: 'IM_REQUEST_TIMEOUT', 413: 'IM_PAYLOAD_TOO_LARGE',
  414: 'IM_URI_TOO_LONG', 415: 'IM_UNSUPPORTED_MEDIA_TYPE', 431: 'IM_HEADERS_TOO_LARGE',
};

export function fromFramework(error: unknown): ApiError {
  const status = (error as { statusCode?: unknown })?.statusCode;
  if (!(error instanceof ApiError) && typeof status === 'number' && status >= 400 && status < 500) {
    const code = FRAMEWORK_STATUS[status] ?? 'IM_BAD_REQUEST';
    return new ApiError(code, (error as Error).message, { cause: error });
  }
  return toApiError(error);
}

/** Node's HTTP parser refusing a connection before any route (slow or oversized headers): the same body and codes. */
export function clientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const api =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? new ApiError('IM_REQUEST_TIMEOUT', 'the request did not arrive in time')
    : error.code === 'HPE_HEADER_OVERFLOW' ? new ApiError('IM_HEADERS_TOO_LARGE', 'the request line and headers exceed 16 KiB')
    : new ApiError('IM_BAD_REQUEST', 'malformed HTTP request');
  const body = JSON.stringify(errorBody(api));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${api.spec.http} ${STATUS_CODES[api.spec.http]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * Writes an answer as the request asked: JSON, or with the binary tensor data extension when an output asks
 * for `binary_data` or the request for `binary_data_output` (JSON header, then each binary output's raw bytes).
 */
export function sendAnswer(reply: FastifyReply, request: InferRequestJson, answer: TensorAnswer) {
  const all = request.parameters?.['binary_data_output'] === true;
  const asked = new Map((request.outputs ?? []).map((o) => [o.name, o.parameters?.['binary_data']]));
  const binaryOf = (name: string): boolean => asked.get(name) === true || (all && asked.get(name) !== false);
  const entries = Object.entries(answer.outputs);
  if (!entries.some(([name]) => binaryOf(name))) return { ...answer, outputs: entries.map(([n, t]) => tensorToJson(n, t)) };
  const parts: Uint8Array[] = [];
  const outputs = entries.map(([name, tensor]) => {
    if (!binaryOf(name)) return tensorToJson(name, tensor);
    const bytes = tensorToBinary(tensor);
    parts.push(bytes);
    return { name, datatype: tensor.datatype, shape: tensor.shape, parameters: { binary_data_size: bytes.length } };
  });
  const { body, headerLength } = joinBinaryBody({ ...answer, outputs }, parts);
  return reply
    .header('content-type', 'application/octet-stream')
    .header(INFERENCE_HEADER_CONTENT_LENGTH, String(headerLength))
    .send(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
}
