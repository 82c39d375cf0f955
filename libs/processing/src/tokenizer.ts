/**
 * A word is letters, digits and combining marks, with inner apostrophes or hyphens joining parts
 * ("don't", "well-being"); leading and trailing ones are punctuation. Typographic apostrophes and
 * hyphens count too and are folded to ASCII so "don’t" and "don't" are one word.
 */
const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*(?:['\u2019\u02BC\-\u2010\u2011][\p{L}\p{N}][\p{L}\p{N}\p{M}]*)*/gu;
const APOSTROPHES = /[\u2019\u02BC]/g;
const HYPHENS = /[\u2010\u2011]/g;

export interface TokenizerOptions {
  /** Fold case (Unicode-aware, locale-independent) before matching. Default: true. */
  lowercase?: boolean;
}

/**
 * Splits text into word tokens, NFC-normalized (so a decomposed "é" equals a composed one) and, by
 * default, lower-cased. Scripts written without spaces come out as one token per run of letters.
 */
export function tokenize(text: string, options: TokenizerOptions = {}): string[] {
  const lowercase = options.lowercase ?? true;
  const words: string[] = [];
  for (const match of text.normalize('NFC').matchAll(WORD)) {
    let word = match[0].replace(APOSTROPHES, "'").replace(HYPHENS, '-');
    // Lower-casing can decompose (İ → i̇), so normalize again after it.
    if (lowercase) word = word.toLowerCase().normalize('NFC');
    words.push(word);
  }
  return words;
}

/**
 * Maps text to vocabulary terms: multi-word phrases ("does not work") are matched greedily, longest
 * first (up to the longest phrase in the vocabulary), before single words; words outside the
 * vocabulary are dropped. `encode` gives the bag-of-words counts a model takes.
 */
export class Tokenizer {
  readonly #vocabulary: readonly string[];
  readonly #index = new Map<string, number>();
  /** First words of multi-word phrases: a word that starts none skips the phrase lookups. */
  readonly #phraseStarts = new Set<string>();
  readonly #longestPhrase: number;
  readonly #lowercase: boolean;

  /** Throws a `TypeError` for a term with no word in it or two terms that tokenize alike. */
  constructor(vocabulary: readonly string[], options: TokenizerOptions = {}) {
    this.#lowercase = options.lowercase ?? true;
    this.#vocabulary = [...vocabulary];
    let longest = 1;
    vocabulary.forEach((term, i) => {
      const words = tokenize(term, { lowercase: this.#lowercase });
      if (words.length === 0) throw new TypeError(`vocabulary term ${i} (${JSON.stringify(term)}) has no word in it`);
      const key = words.join(' ');
      const earlier = this.#index.get(key);
      if (earlier !== undefined) {
        throw new TypeError(
          `vocabulary term ${i} (${JSON.stringify(term)}) is the same as term ${earlier} ` +
            `(${JSON.stringify(vocabulary[earlier])}) once tokenized`,
        );
      }
      this.#index.set(key, i);
      if (words.length > 1) {
        this.#phraseStarts.add(words[0] as string);
        longest = Math.max(longest, words.length);
      }
    });
    this.#longestPhrase = longest;
  }

  /** Number of terms: the width `V` of an encoded row. */
  get size(): number {
    return this.#vocabulary.length;
  }

  get vocabulary(): readonly string[] {
    return this.#vocabulary;
  }

  /** The word tokens of `text`, before vocabulary matching. */
  words(text: string): string[] {
    return tokenize(text, { lowercase: this.#lowercase });
  }

  /** Vocabulary indices of the terms found in `text`, in order. */
  indices(text: string): number[] {
    const words = this.words(text);
    const found: number[] = [];
    let i = 0;
    while (i < words.length) {
      const word = words[i] as string;
      let matched = 0;
      if (this.#phraseStarts.has(word)) {
        for (let n = Math.min(this.#longestPhrase, words.length - i); n >= 2; n--) {
          const index = this.#index.get(words.slice(i, i + n).join(' '));
          if (index !== undefined) {
            found.push(index);
            matched = n;
            break;
          }
        }
      }
      if (matched === 0) {
        const index = this.#index.get(word);
        if (index !== undefined) found.push(index);
        matched = 1;
      }
      i += matched;
    }
    return found;
  }

  /** The vocabulary terms (as the vocabulary spells them) found in `text`, in order. */
  terms(text: string): string[] {
    return this.indices(text).map((i) => this.#vocabulary[i] as string);
  }

  /** Adds the term counts of `text` into `target[offset .. offset + size)`. */
  countInto(text: string, target: Float32Array, offset = 0): void {
    for (const i of this.indices(text)) (target[offset + i] as number)++;
  }

  /** Bag-of-words counts of `text`, one per vocabulary term. */
  encode(text: string): Float32Array {
    const row = new Float32Array(this.size);
    this.countInto(text, row);
    return row;
  }
}
