import { ctcGreedyDecode } from './ctc-decode.js';
import { dbPostprocess, type DbOptions, type TextBox } from './db-postprocess.js';
import { detectorInput, detectorSize } from './detector-input.js';
import { decodeImage, resizeImage, type DecodeImageOptions } from './image.js';
import type { Point } from './min-area-rect.js';
import { perspectiveCrop } from './perspective-crop.js';
import { RECOGNIZER_HEIGHT, RECOGNIZER_MIN_WIDTH, recognizerRow, type RecognizerRow } from './recognizer-input.js';
import { groupBySize, padRows } from '@infermesh/batcher';

/** A float tensor as the networks take and give it. */
export interface FloatTensor {
  data: Float32Array;
  shape: number[];
}

/**
 * The two networks of the pipeline, as the caller runs them: in-process sessions, or lanes of a
 * coordinator (each batched and balanced on its own). `detect` takes `[1, 3, H, W]` and answers the
 * probability map `[1, 1, H, W]`; `recognize` takes `[N, 3, 48, W]` and answers `[N, T, classes]`.
 */
export interface OcrNetworks {
  detect(input: FloatTensor): Promise<FloatTensor>;
  recognize(input: FloatTensor): Promise<FloatTensor>;
}

export interface ReadTextOptions extends DecodeImageOptions {
  /** The detector's longest side. Default: 960. */
  limitSide?: number;
  db?: Partial<DbOptions>;
  /** Lines per recognizer call; lines of similar aspect ratio share one. Default: 6 (PaddleOCR's `rec_batch_num`). */
  recBatchSize?: number;
  /** The widest a line is resized to before recognition. Default: 3200. */
  maxLineWidth?: number;
  /** Lines whose score is below this are dropped (PaddleOCR's `drop_score`). Default: 0.5. */
  dropScore?: number;
}

/** One line of text read from an image. */
export interface TextLine {
  text: string;
  score: number;
  /** Corners clockwise from top-left, in the image's pixels. */
  box: [Point, Point, Point, Point];
}

/** Boxes found in a decoded image: the detector's part of the pipeline. */
export async function detectText(
  image: Awaited<ReturnType<typeof decodeImage>>, detect: OcrNetworks['detect'], options: ReadTextOptions = {},
): Promise<TextBox[]> {
  const size = detectorSize(image.width, image.height, options.limitSide);
  const resized = await resizeImage(image, size.width, size.height);
  const map = await detect({ data: detectorInput(resized), shape: [1, 3, size.height, size.width] });
  const [, , h, w] = map.shape;
  if (h !== size.height || w !== size.width) throw new RangeError(`detector answered [${map.shape.join(', ')}] for ${size.height} × ${size.width}`);
  return dbPostprocess({ data: map.data, width: w, height: h }, image.width, image.height, options.db);
}

/**
 * Recognizes text lines: rows grouped by aspect ratio into batches, each padded to its widest row (at
 * least 320), each row's output cut back to its own time steps before CTC decoding.
 */
export async function recognizeLines(
  rows: readonly RecognizerRow[], recognize: OcrNetworks['recognize'], characters: readonly string[], batchSize = 6,
): Promise<Array<{ text: string; score: number }>> {
  const out: Array<{ text: string; score: number }> = new Array(rows.length);
  await Promise.all(groupBySize(rows.map((r) => r.width), batchSize).map(async (group) => {
    const batch = padRows(group.map((i) => rows[i]!), 3 * RECOGNIZER_HEIGHT, RECOGNIZER_MIN_WIDTH);
    const probs = await recognize({ data: batch.data, shape: [group.length, 3, RECOGNIZER_HEIGHT, batch.width] });
    const [, steps, classes] = probs.shape as [number, number, number];
    group.forEach((rowIndex, b) => {
      // Time steps cover 8 columns each: the ones past the row's own width read only padding.
      const own = Math.min(steps, Math.ceil((rows[rowIndex]!.width * steps) / batch.width));
      out[rowIndex] = ctcGreedyDecode(probs.data.subarray(b * steps * classes, (b + 1) * steps * classes), own, classes, characters);
    });
  }));
  return out;
}

/**
 * The whole pipeline on one encoded image, in one process: decode → detector → DB boxes → crop →
 * recognizer → CTC. The coordinator's pipeline runs the same steps with each network on a lane.
 */
export async function readText(bytes: Uint8Array, networks: OcrNetworks, characters: readonly string[], options: ReadTextOptions = {}): Promise<TextLine[]> {
  const image = await decodeImage(bytes, options);
  const boxes = await detectText(image, networks.detect, options);
  const rows = await Promise.all(boxes.map((b) => recognizerRow(perspectiveCrop(image, b.points), options.maxLineWidth ?? 3200)));
  const lines = await recognizeLines(rows, networks.recognize, characters, options.recBatchSize);
  const drop = options.dropScore ?? 0.5;
  return boxes.flatMap((b, i) => {
    const line = lines[i]!;
    return line.score >= drop && line.text.trim() !== '' ? [{ text: line.text, score: line.score, box: b.points }] : [];
  });
}
