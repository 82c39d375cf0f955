import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod/v4';
import { loadProgramConfig, type FlagTable } from './index.js';

const schema = z.object({ port: z.int().default(1), secret: z.string().optional(), name: z.string().default('x') });
const flags: FlagTable = { port: { path: 'port', type: 'number', description: 'port' }, secret: { path: 'secret', type: 'string', description: 's' } };
const file = join(mkdtempSync(join(tmpdir(), 'im-prog-')), 'c.yaml');
writeFileSync(file, 'app:\n  port: 5\n  name: from-file\n  secret: file-secret\nother:\n  port: 6\n');

describe('loadProgramConfig', () => {
  it('reads the default section, then environment, then flags on top', () => {
    const c = loadProgramConfig(['--config', file, '--port', '7'], { schema, flags, usage: 'u', section: 'app', env: { secret: 'S' }, environment: { S: 'env-secret' } });
    expect(c).toEqual({ port: 7, secret: 'env-secret', name: 'from-file' });
  });

  it('lets a flag beat the environment and --config-section pick another section', () => {
    const c = loadProgramConfig(['--config', file, '--config-section', 'other', '--secret', 'flag-secret'], { schema, flags, usage: 'u', section: 'app', env: { secret: 'S' }, environment: { S: 'env-secret' } });
    expect(c).toEqual({ port: 6, secret: 'flag-secret', name: 'x' });
  });

  it('writes the help and returns undefined for --help', () => {
    let help = '';
    expect(loadProgramConfig(['--help'], { schema, flags, usage: 'usage: app', write: (t) => (help = t) })).toBeUndefined();
    expect(help).toContain('usage: app');
    expect(help).toContain('--port');
  });
});
