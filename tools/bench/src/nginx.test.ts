import { describe, expect, it } from 'vitest';
import { nginxConfig } from './nginx.js';

describe('nginxConfig', () => {
  const conf = nginxConfig({ dir: '/tmp/x', port: 8080, upstreamPort: 9090 });
  it('keeps every path nginx writes in its own folder', () => {
    expect(conf).toContain('pid /tmp/x/nginx.pid;');
    for (const line of conf.split('\n').filter((l) => /(_path|error_log|pid) /.test(l))) expect(line).toContain('/tmp/x/');
  });
  it('is one worker proxying with keep-alive to the upstream', () => {
    expect(conf).toContain('worker_processes 1;');
    expect(conf).toMatch(/upstream noop_upstream \{\s+server 127\.0\.0\.1:9090;\s+keepalive \d+;/);
    expect(conf).toContain('proxy_http_version 1.1;');
    expect(conf).toContain('proxy_set_header Connection "";');
    expect(conf).toContain('listen 127.0.0.1:8080;');
  });
});
