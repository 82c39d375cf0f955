import { describe, expect, it } from 'vitest';
import { Tokenizer, tokenize } from './tokenizer.js';

describe('tokenize', () => {
  it('lower-cases and drops punctuation', () => {
    expect(tokenize('Hello, WORLD! It works... (really?)')).toEqual(['hello', 'world', 'it', 'works', 'really']);
  });

  it('keeps case when asked', () => {
    expect(tokenize('Hello World', { lowercase: false })).toEqual(['Hello', 'World']);
  });

  it('keeps inner apostrophes and hyphens, drops outer ones', () => {
    expect(tokenize("don't 'quoted' well-being -dash- rock'n'roll")).toEqual([
      "don't", 'quoted', 'well-being', 'dash', "rock'n'roll",
    ]);
  });

  it('folds typographic apostrophes and hyphens to ASCII', () => {
    expect(tokenize('Don\u2019t e\u2010mail')).toEqual(["don't", 'e-mail']);
  });

  it('splits on double hyphens, underscores and emoji', () => {
    expect(tokenize('one--two three_four 🙂five')).toEqual(['one', 'two', 'three', 'four', 'five']);
  });

  it('keeps digits in words', () => {
    expect(tokenize('Windows 11 and mp3s, v2.0')).toEqual(['windows', '11', 'and', 'mp3s', 'v2', '0']);
  });

  it('is Unicode-aware: accents, Greek, Cyrillic, composed and decomposed forms', () => {
    expect(tokenize('ÉCOLE Straße ΣΟΦΊΑ Привет')).toEqual(['école', 'straße', 'σοφία', 'привет']);
    // "é" as e + combining acute is the same token as the precomposed one.
    expect(tokenize('Cafe\u0301')).toEqual(tokenize('Caf\u00e9'));
    expect(tokenize('Cafe\u0301')[0]).toBe('caf\u00e9');
  });

  it('gives nothing for text without words', () => {
    expect(tokenize(' ... !? ')).toEqual([]);
  });
});

describe('Tokenizer', () => {
  const vocabulary = ['does not work', 'does not', 'not', 'work', 'great', "don't", 'well-being', 'café', 'works'];
  const tokenizer = new Tokenizer(vocabulary);

  it('prefers the longest phrase over shorter phrases and single words', () => {
    expect(tokenizer.terms('It DOES NOT WORK, sadly.')).toEqual(['does not work']);
    expect(tokenizer.terms('it does not, it does not work')).toEqual(['does not', 'does not work']);
  });

  it('falls back to single words when a phrase does not complete', () => {
    expect(tokenizer.terms('not great, does it work?')).toEqual(['not', 'great', 'work']);
  });

  it('ignores unknown words and matches apostrophes, hyphens and accents', () => {
    expect(tokenizer.terms('I don\u2019t like the Well-Being CAFE\u0301 at all')).toEqual(["don't", 'well-being', 'café']);
  });

  it('counts repeated terms into a bag of words', () => {
    const counts = tokenizer.encode('Great great GREAT, not work');
    expect(Array.from(counts)).toEqual([0, 0, 1, 1, 3, 0, 0, 0, 0]);
  });

  it('matches a phrase at the very end of the text', () => {
    expect(tokenizer.indices('well it does not work')).toEqual([0]);
  });

  it('matches case-sensitively without lowercase', () => {
    const cased = new Tokenizer(['Apple', 'apple'], { lowercase: false });
    expect(cased.terms('apple Apple APPLE')).toEqual(['apple', 'Apple']);
  });

  it('refuses terms that collide once tokenized, and terms without a word', () => {
    expect(() => new Tokenizer(['Apple', 'apple'])).toThrow(TypeError);
    expect(() => new Tokenizer(['ok', '...'])).toThrow(/term 1 \("..."\) has no word/);
  });
});
