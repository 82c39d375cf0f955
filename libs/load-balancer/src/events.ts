import type { EndpointState } from './endpoint-state.js';

/** What a `LoadBalancer` emits: its members' state changes, panic mode, joins and leaves. */
export interface StateChangeEvent {
  readonly id: string;
  readonly from: EndpointState;
  readonly to: EndpointState;
  readonly reason: string;
}
export interface PanicEvent {
  /** True on entering panic mode, false on leaving it. */
  readonly active: boolean;
  readonly healthy: number;
  /** Members that are not draining. */
  readonly total: number;
}
export interface MembershipEvent {
  readonly id: string;
  /** For `'removed'`: `remove()` was called, a drain completed, or the balancer closed. */
  readonly reason: 'added' | 'removed' | 'drained' | 'closed';
}
export type LoadBalancerEvents = {
  state: [StateChangeEvent];
  panic: [PanicEvent];
  added: [MembershipEvent];
  removed: [MembershipEvent];
};
