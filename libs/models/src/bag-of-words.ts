/** Longest phrase in AFINN-165, in tokens ("does not work"). */
const MAX_PHRASE_TOKENS = 3;

/**
 * The tokenisation the `sentiment` model expects, as a reference for the `tokenize` step: lower-case,
 * tokens are runs of letters, digits, `'` and `-`; at each position the longest vocabulary phrase of
 * up to three tokens wins, else the single token counts if it is a term. Returns counts [V].
 */
export function bagOfWords(text: string, terms: readonly string[]): Float32Array {
  const index = new Map(terms.map((t, i) => [t, i]));
  const tokens = text.toLowerCase().match(/[\p{L}\p{N}'-]+/gu) ?? [];
  const counts = new Float32Array(terms.length);
  for (let i = 0; i < tokens.length; ) {
    let matched = 0;
    for (let n = Math.min(MAX_PHRASE_TOKENS, tokens.length - i); n >= 1; n--) {
      const k = index.get(tokens.slice(i, i + n).join(' '));
      if (k !== undefined) {
        counts[k] = (counts[k] as number) + 1;
        matched = n;
        break;
      }
    }
    i += matched || 1;
  }
  return counts;
}
