import { crc32 } from 'node:zlib';
import { startCluster, type Cluster } from '@infermesh/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, ocrRepository } from './fixtures.js';
import { referenceRead } from './ocr-reference.js';
import { characterAccuracy, PHRASES, renderLines, type Rendered } from './text-images.js';

let cluster: Cluster;

beforeAll(async () => {
  const repository = await ocrRepository();
  cluster = await startCluster({ repository, workers: 1, coordinatorArgs: ['--heartbeat-ms', '500', '--cache', 'off'] });
});
afterAll(async () => {
  await cluster?.stop();
});

interface Line { text: string; score: number; box: number[][] }

/** `POST /v2/models/ocr/infer` with the image as base64 BYTES, as a JSON client sends it. */
async function read(image: Buffer): Promise<{ status: number; body: any; lines: Line[] }> {
  const res = await http(cluster, '/v2/models/ocr/infer', {
    json: { inputs: [{ name: 'image', datatype: 'BYTES', shape: [1], data: [image.toString('base64')] }] },
  });
  if (res.status !== 200) return { status: res.status, body: res.body, lines: [] };
  const out = (name: string) => res.body.outputs.find((o: { name: string }) => o.name === name);
  const text = out('text').data as string[];
  const score = out('score').data as number[];
  const boxes = out('boxes').data as number[];
  return {
    status: 200,
    body: res.body,
    lines: text.map((t, i) => ({ text: t, score: score[i]!, box: [0, 1, 2, 3].map((k) => [boxes[i * 8 + k * 2]!, boxes[i * 8 + k * 2 + 1]!]) })),
  };
}

/** A PNG of only a signature and an IHDR chunk claiming `width × height`: no pixel data follows. */
function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const type = Buffer.from('IHDR');
  const chunk = Buffer.alloc(12 + 13);
  chunk.writeUInt32BE(13, 0);
  type.copy(chunk, 4);
  ihdr.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(Buffer.concat([type, ihdr])), 21);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk]);
}

describe('OCR: a pipeline of two real networks served as one model', () => {
  it('describes the pipeline in metadata and in Triton\'s config (ensemble steps)', async () => {
    const meta = await http(cluster, '/v2/models/ocr');
    expect(meta.status).toBe(200);
    expect(meta.body).toMatchObject({
      name: 'ocr', platform: 'ensemble',
      inputs: [{ name: 'image', datatype: 'BYTES', shape: [1] }],
      outputs: [{ name: 'text', datatype: 'BYTES' }, { name: 'score', datatype: 'FP32' }, { name: 'boxes', datatype: 'FP32', shape: [-1, 4, 2] }],
      parameters: { pipeline: 'ocr-det,ocr-rec' },
    });
    const config = await http(cluster, '/v2/models/ocr/config');
    expect(config.body.platform).toBe('ensemble');
    expect(config.body.ensemble_scheduling.step.map((s: { model_name: string }) => s.model_name)).toEqual(['ocr-det', 'ocr-rec']);
    expect((await http(cluster, '/v2/models/ocr/ready')).status).toBe(200);
  });

  it('reads 30 rendered phrases (PNG and JPEG, three sizes, one to three lines an image) with high character accuracy', async () => {
    const images: Array<{ rendered: Rendered; format: 'png' | 'jpeg' }> = [];
    const sizes = [24, 30, 40];
    for (let i = 0, k = 0; i < PHRASES.length; k++) {
      const count = (k % 3) + 1;
      const lines = PHRASES.slice(i, i + count);
      i += count;
      images.push({ rendered: renderLines(lines, sizes[k % 3]), format: k % 2 === 0 ? 'png' : 'jpeg' });
    }
    const answers = await Promise.all(images.map(({ rendered, format }) => read(format === 'png' ? rendered.png : rendered.jpeg)));
    const pairs: Array<{ expected: string; actual: string }> = [];
    for (const [i, a] of answers.entries()) {
      const { rendered } = images[i]!;
      expect(a.status).toBe(200);
      expect(a.lines.map((l) => l.text)).toHaveLength(rendered.lines.length);
      rendered.lines.forEach((expected, j) => pairs.push({ expected, actual: a.lines[j]?.text ?? '' }));
      for (const [j, line] of a.lines.entries()) {
        // Line j's box lies on line j: its top-left within the line's band of the image.
        const band = rendered.height / rendered.lines.length;
        expect(line.box[0]![1]).toBeGreaterThan(band * j - band / 2);
        expect(line.box[3]![1]).toBeLessThan(band * (j + 1) + band / 2);
        expect(line.score).toBeGreaterThan(0.5);
      }
    }
    const exact = characterAccuracy(pairs);
    const withoutSpaces = characterAccuracy(pairs, true);
    console.log(`ocr character accuracy on ${pairs.length} rendered lines: ${exact.toFixed(4)} (spaces counted), ${withoutSpaces.toFixed(4)} (spaces ignored)`);
    expect(withoutSpaces).toBeGreaterThanOrEqual(0.95);
    expect(exact).toBeGreaterThanOrEqual(0.9);
  });

  it('agrees with an independent script running the same two ONNX files without infermesh code', async () => {
    const rendered = renderLines(['Open Inference Protocol', 'Invoice number 80417'], 30);
    const [served, reference] = await Promise.all([read(rendered.png), referenceRead(rendered.png)]);
    // PP-OCRv4's recognizer (trained mostly on Chinese) often drops the spaces between Latin words: both readings do.
    const squeeze = (t: string) => t.replace(/\s+/g, '');
    expect(reference.map((r) => squeeze(r.text))).toEqual(['OpenInferenceProtocol', 'Invoicenumber80417']);
    expect(served.lines.map((l) => squeeze(l.text))).toEqual(reference.map((r) => squeeze(r.text)));
    served.lines.forEach((l, i) => {
      const [x0, y0, x1, y1] = reference[i]!.box;
      const xs = l.box.map((p) => p[0]!);
      const ys = l.box.map((p) => p[1]!);
      // Both grow DB's shrunk regions by the same rule; the reference's box is axis-aligned.
      expect(Math.abs(Math.min(...xs) - x0)).toBeLessThan(6);
      expect(Math.abs(Math.max(...xs) - x1)).toBeLessThan(6);
      expect(Math.abs(Math.min(...ys) - y0)).toBeLessThan(6);
      expect(Math.abs(Math.max(...ys) - y1)).toBeLessThan(6);
    });
  });

  it('puts every line of a request into the recognizer\'s batch as a row of its own', async () => {
    // Triton's batch statistics of ocr-rec: batches by their rows. A lone request of five lines runs as one batch of five.
    const fives = async () => {
      const stats = await http(cluster, '/v2/models/ocr-rec/stats');
      const five = (stats.body.model_stats[0]?.batch_stats ?? []).find((b: { batch_size: number }) => b.batch_size === 5);
      return Number(five?.compute_infer.count ?? 0);
    };
    const before = await fives();
    const lines = PHRASES.slice(0, 5);
    const a = await read(renderLines(lines, 30).png);
    expect(a.lines).toHaveLength(5);
    expect(characterAccuracy(lines.map((expected, i) => ({ expected, actual: a.lines[i]!.text })), true)).toBeGreaterThan(0.95);
    expect(await fives()).toBe(before + 1);
  });

  it('answers an image with no text with no lines', async () => {
    const blank = renderLines([''], 30);
    const a = await read(blank.png);
    expect(a.status).toBe(200);
    expect(a.body.outputs.find((o: { name: string }) => o.name === 'text')).toMatchObject({ shape: [0], data: [] });
    expect(a.body.outputs.find((o: { name: string }) => o.name === 'boxes')).toMatchObject({ shape: [0, 4, 2] });
  });

  it('takes the image as raw bytes through the binary extension, as Triton\'s client and curl send it', async () => {
    const rendered = renderLines(['Binary data 2048'], 30);
    const json = await read(rendered.png);
    // The JSON header, then the BYTES element: its 4-byte little-endian length and the PNG itself.
    const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'image', datatype: 'BYTES', shape: [1], parameters: { binary_data_size: rendered.png.length + 4 } }] }));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(rendered.png.length);
    const res = await fetch(`${cluster.url}/v2/models/ocr/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
      body: Buffer.concat([header, length, rendered.png]),
    });
    expect(res.status).toBe(200);
    const body = await res.json() as { outputs: Array<{ name: string; data: unknown[] }> };
    expect(body.outputs.find((o) => o.name === 'text')!.data).toEqual(json.lines.map((l) => l.text));
    // `curl --data-binary @page.jpg -H 'Inference-Header-Content-Length: 0'`: the body is the image alone.
    const raw = await fetch(`${cluster.url}/v2/models/ocr/infer`, {
      method: 'POST', headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': '0' }, body: rendered.jpeg,
    });
    expect(raw.status).toBe(200);
    expect(Number(raw.headers.get('inference-header-content-length'))).toBeGreaterThan(0);
  });

  it('refuses bad images with a documented 400 and keeps serving', async () => {
    const good = renderLines(['Still serving 42'], 30).png;
    const bad: Record<string, Buffer> = {
      truncated: good.subarray(0, Math.floor(good.length / 2)),
      empty: pngHeader(0, 0),
      huge: pngHeader(20_000, 20_000),
      'not an image': Buffer.from('this is not an image at all'),
    };
    for (const [what, bytes] of Object.entries(bad)) {
      const a = await read(bytes);
      expect([what, a.status, a.body.code]).toEqual([what, 400, 'IM_INVALID_INPUT']);
      expect(typeof a.body.error).toBe('string');
    }
    const notBase64 = await http(cluster, '/v2/models/ocr/infer', { json: { inputs: [{ name: 'image', datatype: 'BYTES', shape: [1], data: ['%%%'] }] } });
    expect([notBase64.status, notBase64.body.code]).toEqual([400, 'IM_INVALID_INPUT']);
    const after = await read(good);
    expect(after.lines.map((l) => l.text.replace(/\s+/g, ''))).toEqual(['Stillserving42']);
  });
});

describe('OCR with its processing on processors (disaggregated)', () => {
  it('answers as co-located, with the steps run by a processor', async () => {
    const repository = await ocrRepository();
    const far = await startCluster({ repository, workers: 1, processors: 1, coordinatorArgs: ['--heartbeat-ms', '500', '--cache', 'off', '--placement', 'disaggregated'] });
    try {
      const rendered = renderLines(['Disaggregated 2026', 'Open Inference Protocol'], 30);
      const near = await read(rendered.png);
      const res = await http(far, '/v2/models/ocr/infer', { json: { inputs: [{ name: 'image', datatype: 'BYTES', shape: [1], data: [rendered.png.toString('base64')] }] } });
      expect(res.status).toBe(200);
      expect(res.body.outputs).toEqual(near.body.outputs);
      expect(res.body.parameters.infermesh_processors).toMatch(/^processor-1(,processor-1)+$/);
    } finally {
      await far.stop();
    }
  });
});
