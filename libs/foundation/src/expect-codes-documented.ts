import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

/** Fails unless every code appears in the README as `` `CODE` ``; the failure lists the missing ones. */
export function expectCodesDocumented(readme: URL | string, codes: readonly string[]): void {
  const text = readFileSync(readme, 'utf8');
  expect(codes.filter((code) => !text.includes(`\`${code}\``))).toEqual([]);
}
