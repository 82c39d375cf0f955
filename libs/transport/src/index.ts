export { listen, TransportServer } from './server.js';
export type { TransportServerEvents } from './server.js';
export { dial, DialingPeer } from './dial.js';
export { Peer } from './peer.js';
export { connectPort } from './port.js';
export { LocalChannel, LocalPort } from './carrier.js';
export type { PeerEvents, PeerCloseEvent, ReconnectingEvent } from './peer.js';
export type {
  MethodTable, CallOptions, HandlerContext, Handler, Handlers, RequestOf, RequestInputOf, ResponseOf, ResponseInputOf,
} from './method-table.js';
export { ListenOptionsSchema, DialOptionsSchema, ReconnectOptionsSchema, PortOptionsSchema, ListenTlsSchema, DialTlsSchema } from './options.js';
export type { ListenOptions, DialOptions, ReconnectOptions, PortOptions, TimerApi, ListenTlsOptions, DialTlsOptions } from './options.js';
export { Backoff } from './backoff.js';
export { FrameSchema, encodeFrame, decodeFrame, ERROR_KINDS } from './frame.js';
export type { Frame, ErrorKind, DecodeResult } from './frame.js';
export {
  TRANSPORT_ERROR_CODES, TransportError, TimeoutError, AbortedError, ClosedError, NotConnectedError, BackpressureError,
  RemoteError, InvalidMessageError, MethodNotFoundError, UnauthorizedError, ProtocolError, HeartbeatTimeoutError,
  ReconnectExhaustedError,
} from './errors.js';
export type { TransportErrorCode } from './errors.js';
export { loadChannelTls, isLoopbackHost, secureUrl } from './channel-tls.js';
export type { ChannelTlsFiles } from './channel-tls.js';
