import { describe, expect, it } from 'vitest';
import { isPlaceholderSource } from './workspace.js';

describe('isPlaceholderSource', () => {
  it.each([
    ['export {};', true],
    ['export {}\n', true],
    ['', true],
    ['/** placeholder */\nexport { };\n// more to come\n', true],
    ["export { a } from './a.js';", false],
    ["export * from './a.js';", false],
    ["export type { A } from './a.js';", false],
    ['export const x = 1;\nexport {};', false],
  ])('%j → %s', (source, expected) => {
    expect(isPlaceholderSource(source)).toBe(expected);
  });
});
