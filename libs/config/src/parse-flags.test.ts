import { describe, expect, it } from 'vitest';
import { ConfigFlagError, formatHelp, parseFlags, type FlagTable } from './index.js';

const table: FlagTable = {
  'listen-port': { path: 'http.port', type: 'number', description: 'HTTP port' },
  'grpc-port': { path: 'grpc.port', type: 'number', off: true, description: 'gRPC port (off: none)' },
  worker: { path: 'workers', type: 'list', description: 'worker address' },
  verbose: { path: 'log.verbose', type: 'boolean', description: 'more logs' },
};

describe('parseFlags', () => {
  it('maps flags onto nested config paths', () => {
    const p = parseFlags(['--listen-port', '9000', '--worker', 'a:1,b:2', '--worker', 'c:3', '--verbose', '-c', 'x.yaml', '--config-section', 'workers.1'], table);
    expect(p.overrides).toEqual({ http: { port: 9000 }, workers: ['a:1', 'b:2', 'c:3'], log: { verbose: true } });
    expect(p.configFile).toBe('x.yaml');
    expect(p.configSection).toBe('workers.1');
    expect(p.help).toBe(false);
  });

  it('refuses an unknown flag and a non-number with IM_CONFIG_FLAG', () => {
    expect(() => parseFlags(['--nope'], table)).toThrow(ConfigFlagError);
    expect(() => parseFlags(['--listen-port', 'abc'], table)).toThrow(/--listen-port expects a number, got 'abc'/);
  });

  it('takes `off` for a number flag that allows it (null), and only there', () => {
    expect(parseFlags(['--grpc-port', 'off'], table).overrides).toEqual({ grpc: { port: null } });
    expect(parseFlags(['--grpc-port', '7'], table).overrides).toEqual({ grpc: { port: 7 } });
    expect(() => parseFlags(['--listen-port', 'off'], table)).toThrow(/--listen-port expects a number, got 'off'/);
  });

  it('lists every flag in the help text', () => {
    const help = formatHelp('usage: x', table);
    for (const name of Object.keys(table)) expect(help).toContain(`--${name}`);
    expect(help).toContain('(http.port)');
  });
});
