import { describe, expect, it } from 'vitest';
import { packageOf, typeImports, undeclaredTypePackages } from './type-imports.js';

const dts = `import { EventEmitter } from 'node:events';
import { z } from 'zod/v4';
import { WebSocket } from 'ws';
import * as http from 'http';
export { Tensor } from '@infermesh/contracts';
type Lazy = import('pino').Logger;
import { local } from './local.js';
`;

describe('type imports of a declaration file', () => {
  it('finds every bare specifier, never a relative one', () => {
    expect(typeImports(dts)).toEqual(['@infermesh/contracts', 'http', 'node:events', 'pino', 'ws', 'zod/v4']);
  });

  it('maps specifiers to packages, built-ins to @types/node', () => {
    expect(['node:events', 'http', 'zod/v4', '@infermesh/contracts', 'ws'].map(packageOf)).toEqual([
      '@types/node', '@types/node', 'zod', '@infermesh/contracts', 'ws',
    ]);
  });

  it('names what a consumer would miss: an undeclared package, and @types for an untyped one', () => {
    const withTypes = new Set(['zod', '@infermesh/contracts', 'pino']);
    const declared = { zod: '^4', ws: '8.23.0', '@infermesh/contracts': '^0.1.0' };
    expect(undeclaredTypePackages(dts, declared, (p) => withTypes.has(p))).toEqual(['@types/node', '@types/ws', 'pino']);
    const complete = { ...declared, pino: '10', '@types/ws': '8', '@types/node': '>=20' };
    expect(undeclaredTypePackages(dts, complete, (p) => withTypes.has(p))).toEqual([]);
  });
});
