import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_ERRORS, WORKER_ITEM_ERRORS } from './index.js';

describe('README', () => {
  it('documents every API error code with its status, and every worker item code', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const [code, status] of Object.entries(API_ERRORS)) expect(readme).toMatch(new RegExp(`\`${code}\` \\| ${status} \\|`));
    for (const code of WORKER_ITEM_ERRORS) expect(readme).toContain(code);
  });
});
