import { describe, expect, it } from 'vitest';
import { ctcCharacters, ctcGreedyDecode } from './ctc-decode.js';

/** One-hot-ish rows: at step t the class `path[t]` has probability `p`, the rest share what is left. */
function rows(path: readonly number[], classes: number, p = 0.9): Float32Array {
  const out = new Float32Array(path.length * classes).fill((1 - p) / (classes - 1));
  path.forEach((c, t) => { out[t * classes + c] = p; });
  return out;
}

describe('ctcGreedyDecode', () => {
  const chars = ctcCharacters('a\nb\nc\n');

  it('reads the class list as keys then a space', () => {
    expect(chars).toEqual(['a', 'b', 'c', ' ']);
    expect(ctcCharacters('x\r\ny')).toEqual(['x', 'y', ' ']);
  });

  it('merges repeats and drops blanks, keeping a letter doubled across a blank', () => {
    // blank a a blank a b b blank space c  → "aab c"
    const path = [0, 1, 1, 0, 1, 2, 2, 0, 4, 3];
    const out = ctcGreedyDecode(rows(path, 5), path.length, 5, chars);
    expect(out.text).toBe('aab c');
    expect(out.score).toBeCloseTo(0.9, 6);
  });

  it('scores the mean of the kept maxima and decodes only the steps asked for', () => {
    const probs = new Float32Array([0.1, 0.8, 0.05, 0.05, 0, 0.1, 0.1, 0.6, 0.2, 0, 0.1, 0.1, 0.1, 0.7, 0]);
    expect(ctcGreedyDecode(probs, 3, 5, chars)).toEqual({ text: 'abc', score: expect.closeTo((0.8 + 0.6 + 0.7) / 3, 6) });
    expect(ctcGreedyDecode(probs, 2, 5, chars).text).toBe('ab');
  });

  it('answers an empty text with score 0 for all blanks', () => {
    expect(ctcGreedyDecode(rows([0, 0, 0], 5), 3, 5, chars)).toEqual({ text: '', score: 0 });
  });
});
