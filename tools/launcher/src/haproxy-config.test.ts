import { describe, expect, it } from 'vitest';
import { haproxyConfig } from './haproxy-config.js';

describe('haproxyConfig', () => {
  it('writes the front door of docs/deploy.md §6: round robin over checked coordinators, retried on another', () => {
    const text = haproxyConfig({ bind: '10.0.0.1:8080', servers: [{ name: 'b', address: '10.0.0.2:9000' }, { name: 'c', address: '10.0.0.3:9000' }] });
    const lines = text.split('\n').map((l) => l.trim());
    expect(lines).toContain('bind 10.0.0.1:8080');
    expect(lines).toContain('balance roundrobin');
    expect(lines).toContain('option httpchk GET /v2/health/ready');
    expect(lines).toContain('retry-on all-retryable-errors');
    expect(lines).toContain('option redispatch 1');
    expect(lines).toContain('default-server inter 500ms fall 2 rise 2');
    expect(lines.filter((l) => l.startsWith('server '))).toEqual(['server b 10.0.0.2:9000 check', 'server c 10.0.0.3:9000 check']);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('takes the check interval and maxconn', () => {
    const text = haproxyConfig({ bind: '127.0.0.1:1', servers: [{ name: 'a', address: '127.0.0.1:2' }], checkIntervalMs: 200, maxconn: 10 });
    expect(text).toContain('  default-server inter 200ms fall 2 rise 2\n');
    expect(text).toContain('  maxconn 10\n');
  });

  it('refuses a front door with nothing behind it', () => {
    expect(() => haproxyConfig({ bind: '127.0.0.1:1', servers: [] })).toThrow(RangeError);
  });
});
