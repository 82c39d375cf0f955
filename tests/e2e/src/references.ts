import {
  SENTIMENT_LABELS, bagOfWords, mlpReference, mlpWeights, sentimentReference, sentimentVocabulary, mulberry32,
} from '@infermesh/models';

const weights = mlpWeights();

/** Deterministic MLP input rows (64 features each), different for each seed. */
export function mlpInput(rows: number, seed: number): number[] {
  const next = mulberry32(seed);
  return Array.from({ length: rows * 64 }, () => Math.round((next() * 4 - 2) * 1e4) / 1e4);
}

/** The demo MLP computed in plain TypeScript from the same seeded weights. */
export function mlpExpected(input: readonly number[], rows: number): number[] {
  return Array.from(mlpReference(weights, Float32Array.from(input), rows));
}

/** The demo sentiment model computed in plain TypeScript: AFINN sums, softmax, argmax label. */
export async function sentimentExpected(texts: readonly string[]): Promise<{ probabilities: number[]; labels: string[] }> {
  const { terms, scores } = sentimentVocabulary();
  const bow = new Float32Array(texts.length * terms.length);
  texts.forEach((t, i) => bow.set(bagOfWords(t, terms), i * terms.length));
  const probabilities = Array.from(sentimentReference(bow, texts.length, scores));
  const labels = texts.map((_, i) => {
    const row = probabilities.slice(i * 3, i * 3 + 3);
    return SENTIMENT_LABELS[row.indexOf(Math.max(...row))]!;
  });
  return { probabilities, labels };
}
