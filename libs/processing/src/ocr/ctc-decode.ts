/** One recognized line: its text and the mean probability of the characters kept. */
export interface DecodedText {
  text: string;
  /** Mean over the kept characters of their most likely class's probability; 0 for an empty line. */
  score: number;
}

/**
 * Greedy CTC decoding of one row of a recognizer's output: the most likely class at each time step,
 * repeats merged, then blanks (class 0) dropped. Class `i ≥ 1` is `characters[i - 1]`. `probs` holds
 * `steps × classes` probabilities, row-major; `steps` may be shorter than the tensor's time axis when
 * a padded row's tail is cut off.
 */
export function ctcGreedyDecode(probs: Float32Array, steps: number, classes: number, characters: readonly string[]): DecodedText {
  let text = '';
  let sum = 0;
  let kept = 0;
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    const row = t * classes;
    let best = 0;
    let bestP = probs[row] as number;
    for (let c = 1; c < classes; c++) {
      const p = probs[row + c] as number;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    if (best !== 0 && best !== previous) {
      text += characters[best - 1] ?? '';
      sum += bestP;
      kept++;
    }
    previous = best;
  }
  return { text, score: kept === 0 ? 0 : sum / kept };
}

/**
 * PaddleOCR's character list: the key file's lines, then a space (its `use_space_char`), so that
 * class `i ≥ 1` is `list[i - 1]` and the classifier has `list.length + 1` classes.
 */
export function ctcCharacters(keyFile: string): string[] {
  const lines = keyFile.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return [...lines, ' '];
}
