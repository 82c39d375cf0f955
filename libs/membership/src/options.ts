import { parseOptions } from '@infermesh/foundation';
import { z } from 'zod/v4';

export const MembershipOptionsSchema = z.strictObject({
  /** etcd endpoints (`http://host:2379`). */
  endpoints: z.array(z.url({ protocol: /^https?$/ })).min(1),
  /** The key prefix every member lives under (`/infermesh/workers/`). */
  prefix: z.string().min(1).max(256).default('/infermesh/members/'),
  /** A member's lease: it is gone from every watcher this long after it stops keeping the lease alive. etcd's floor is about 2 s. */
  leaseTtlS: z.int().min(2).max(3_600).default(10),
  /** How long one etcd call may take before the store counts as unreachable. */
  callTimeoutMs: z.int().min(50).max(60_000).default(1_000),
  /** How often a watcher re-reads the whole prefix (and so notices etcd going and coming back). Default: half the lease TTL. */
  resyncMs: z.int().min(50).max(600_000).optional(),
  /** How long a lost registration waits before granting a new lease. */
  retryMs: z.int().min(10).max(60_000).default(250),
});
export type MembershipOptions = z.input<typeof MembershipOptionsSchema>;
export type ParsedMembershipOptions = z.output<typeof MembershipOptionsSchema>;

export const parseMembershipOptions = (options: MembershipOptions): ParsedMembershipOptions =>
  parseOptions(MembershipOptionsSchema, options, 'membership');
