import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { ClientAuth } from './client-auth.js';

describe('ClientAuth', () => {
  const auth = new ClientAuth(['first-key-123', 'second-key-456']);

  it('allows any configured key and nothing else', () => {
    expect(auth.allows({ authorization: 'Bearer first-key-123' })).toBe(true);
    expect(auth.allows({ authorization: 'bearer second-key-456' })).toBe(true);
    expect(auth.allows({ authorization: 'Bearer first-key-12' })).toBe(false);
    expect(auth.allows({ authorization: 'Bearer first-key-1234' })).toBe(false);
    expect(auth.allows({ authorization: 'Basic first-key-123' })).toBe(false);
    expect(auth.allows({ authorization: 'Bearer ' })).toBe(false);
    expect(auth.allows({})).toBe(false);
  });

  it('guards every /v2 route but the health probes', () => {
    expect(auth.guards('/v2/health/live')).toBe(false);
    expect(auth.guards('/v2/health/ready?x=1')).toBe(false);
    expect(auth.guards('/v2')).toBe(true);
    expect(auth.guards('/v2/models/mlp/infer')).toBe(true);
    expect(auth.guards('/v2/health/live/../../models')).toBe(true);
  });

  it('guards /metrics unless told to leave it open for a scraper', () => {
    expect(auth.guards('/metrics')).toBe(true);
    expect(new ClientAuth(['first-key-123'], { openMetrics: true }).guards('/metrics')).toBe(false);
    expect(auth.guards('/dashboard')).toBe(false); // the page holds no data; its data route is /v2/dashboard/data
  });

  it('identifies which key a request carries, the same for every request with it', () => {
    expect(auth.identify({ authorization: 'Bearer second-key-456' })).toBe(1);
    expect(auth.identify({ authorization: 'Bearer first-key-123' })).toBe(0);
    expect(auth.identify({ authorization: 'Bearer nope-nope-nope' })).toBeUndefined();
  });

  it('refuses an empty key list', () => {
    expect(() => new ClientAuth([])).toThrow(RangeError);
  });

  it('as a fastify hook answers 401 IM_UNAUTHORIZED before the route runs', async () => {
    const app = Fastify();
    let ran = 0;
    app.setErrorHandler((error, _req, reply) => reply.code((error as ApiError).spec.http).send({ code: (error as ApiError).code }));
    app.get('/v2', async () => ({ ran: ++ran }));
    app.get('/v2/health/live', async () => ({ live: true }));
    app.addHook('onRequest', auth.hook);
    const denied = await app.inject('/v2');
    expect(denied.statusCode).toBe(401);
    expect(denied.json()).toEqual({ code: 'IM_UNAUTHORIZED' });
    expect(denied.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(ran).toBe(0);
    expect((await app.inject({ url: '/v2', headers: { authorization: 'Bearer first-key-123' } })).statusCode).toBe(200);
    expect((await app.inject('/v2/health/live')).statusCode).toBe(200);
    await app.close();
  });
});
