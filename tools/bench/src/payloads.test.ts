import { describe, expect, it } from 'vitest';
import { sentimentHttpBody, sentimentTexts } from './payloads.js';

const VOCABULARY = ['good', 'bad', 'does not work', 'great', "can't stand", 'awful'];

describe('sentimentTexts', () => {
  it('gives distinct texts of exactly N words from one-word terms, the same for the same seed', () => {
    const texts = sentimentTexts(VOCABULARY, 50, 100, 3);
    expect(new Set(texts).size).toBe(100);
    for (const t of texts) {
      const words = t.split(' ');
      expect(words).toHaveLength(50);
      for (const w of words.slice(1)) expect(['good', 'bad', 'great', 'awful']).toContain(w);
    }
    expect(sentimentTexts(VOCABULARY, 50, 100, 3)).toEqual(texts);
    expect(sentimentTexts(VOCABULARY, 50, 100, 4)).not.toEqual(texts);
  });
  it('keeps one-word texts distinct too, and refuses a length below one word', () => {
    expect(new Set(sentimentTexts(VOCABULARY, 1, 10)).size).toBe(10);
    expect(() => sentimentTexts(VOCABULARY, 0, 1)).toThrow(RangeError);
  });
  it('wraps a text as the protocol request of one BYTES row', () => {
    expect(JSON.parse(sentimentHttpBody('so good'))).toEqual({ inputs: [{ name: 'text', datatype: 'BYTES', shape: [1], data: ['so good'] }] });
  });
});
