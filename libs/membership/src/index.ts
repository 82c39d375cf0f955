export { Membership } from './membership.js';
export { Registration } from './registration.js';
export type { RegistrationEvents } from './registration.js';
export { MemberWatch } from './member-watch.js';
export type { MemberWatchEvents, MemberWatchOptions } from './member-watch.js';
export { MembershipOptionsSchema } from './options.js';
export type { MembershipOptions } from './options.js';
export { Leadership } from './leadership.js';
export type { LeadershipEvents } from './leadership.js';
