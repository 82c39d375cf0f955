import { describe, expect, it } from 'vitest';
import { advertisedUrl } from './cluster-registration.js';

describe('advertisedUrl', () => {
  it('is the listener\'s own address, wss on a TLS channel', () => {
    expect(advertisedUrl({ host: '10.0.0.4', port: 9200 }, undefined, false)).toBe('ws://10.0.0.4:9200');
    expect(advertisedUrl({ host: '10.0.0.4', port: 9200 }, undefined, true)).toBe('wss://10.0.0.4:9200');
    expect(advertisedUrl({ host: 'fd00::4', port: 9200 }, undefined, true)).toBe('wss://[fd00::4]:9200');
  });

  it('takes --advertise as given, with the channel\'s scheme when it has none', () => {
    expect(advertisedUrl({ host: '0.0.0.0', port: 9200 }, 'worker-d.internal:443', true)).toBe('wss://worker-d.internal:443');
    expect(advertisedUrl({ host: '0.0.0.0', port: 9200 }, 'ws://10.1.2.3:9', true)).toBe('ws://10.1.2.3:9');
  });

  it('refuses a wildcard listener without --advertise: coordinators could not dial it', () => {
    expect(() => advertisedUrl({ host: '0.0.0.0', port: 9200 }, undefined, false)).toThrow(/--advertise/);
    expect(() => advertisedUrl({ host: '::', port: 9200 }, undefined, false)).toThrow(TypeError);
  });
});
