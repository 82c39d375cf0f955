import { parseOptions, pem } from '@infermesh/foundation';
import { z } from 'zod/v4';

/** PEM text or bytes: the library reads no files, its caller does. */
const Pem = pem();

export const MembershipOptionsSchema = z
  .strictObject({
    /** etcd endpoints (`http://host:2379`, or `https://` with `tls`). All `http` or all `https`. */
    endpoints: z.array(z.url({ protocol: /^https?$/ })).min(1),
    /**
     * TLS to etcd (endpoints `https://`): `ca` verifies etcd's server certificate (the system trust store is
     * not used: etcd clusters sign with their own CA); `cert` + `key`, a client certificate for etcd's
     * `--client-cert-auth`.
     */
    tls: z
      .strictObject({ ca: Pem.optional(), cert: Pem.optional(), key: Pem.optional() })
      .refine((t) => (t.cert === undefined) === (t.key === undefined), { message: 'give the client certificate and its key together', path: ['key'] })
      .optional(),
    /** etcd RBAC: a user and its password (etcd `auth enable`). Sent only to etcd, over TLS when `tls` is set. */
    auth: z.strictObject({ username: z.string().min(1), password: z.string().min(1) }).optional(),
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
  })
  .superRefine((o, ctx) => {
    const secure = o.endpoints.filter((e) => e.startsWith('https:')).length;
    if (secure !== 0 && secure !== o.endpoints.length) {
      ctx.addIssue({ code: 'custom', path: ['endpoints'], message: 'mixes http:// and https:// endpoints: give them all one scheme' });
    } else if (secure !== 0 && o.tls?.ca === undefined) {
      ctx.addIssue({ code: 'custom', path: ['tls', 'ca'], message: 'https:// endpoints need the CA of etcd\'s server certificate (tls.ca)' });
    } else if (secure === 0 && o.tls !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['endpoints'], message: 'tls is set but the endpoints are http://: use https:// endpoints' });
    }
  });
export type MembershipOptions = z.input<typeof MembershipOptionsSchema>;
export type ParsedMembershipOptions = z.output<typeof MembershipOptionsSchema>;

export const parseMembershipOptions = (options: MembershipOptions): ParsedMembershipOptions =>
  parseOptions(MembershipOptionsSchema, options, 'membership');
