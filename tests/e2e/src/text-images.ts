import { createCanvas } from '@napi-rs/canvas';

/** 30 phrases of English words and digits: what the OCR tests render and expect back. */
export const PHRASES = [
  'The quick brown fox 1234',
  'jumps over 56 lazy dogs',
  'Invoice number 80417',
  'Total due 129 dollars',
  'Meeting at 10 tomorrow',
  'Room 42 on floor 7',
  'Call 555 0199 now',
  'Order 3318 has shipped',
  'Open daily from 9 to 5',
  'Flight 206 to Lisbon',
  'Version 2 release notes',
  'Chapter 11 begins here',
  'Serial 7F3K 2025',
  'Hello world 2026',
  'Speed limit 60',
  'Platform 3 departures',
  'Batch 64 of 1000',
  'Page 17 of 240',
  'Temperature 21 degrees',
  'Exit 14 North',
  'Apples 4 Pears 9',
  'Gate B12 boarding',
  'Distributed inference engine',
  'Open Inference Protocol',
  'Model repository ready',
  'Worker 8 joined',
  'Coordinator online',
  'Queue depth 256',
  'Latency under 50 ms',
  'Text lines in one image',
] as const;

export interface Rendered {
  /** The lines drawn, top to bottom. */
  lines: string[];
  png: Buffer;
  jpeg: Buffer;
  width: number;
  height: number;
}

/** Black text on white, one phrase a line, in DejaVu Sans at `px` (fonts-dejavu-core). */
export function renderLines(lines: readonly string[], px = 30): Rendered {
  const lineHeight = Math.round(px * 2.2);
  const measure = createCanvas(10, 10).getContext('2d');
  measure.font = `${px}px DejaVu Sans`;
  const width = Math.ceil(Math.max(...lines.map((l) => measure.measureText(l).width)) + px * 2);
  const height = lineHeight * lines.length + px;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#000000';
  ctx.font = `${px}px DejaVu Sans`;
  lines.forEach((line, i) => ctx.fillText(line, px, lineHeight * (i + 1)));
  return { lines: [...lines], png: canvas.toBuffer('image/png'), jpeg: canvas.toBuffer('image/jpeg', 90), width, height };
}

/** Levenshtein distance: the edits between what was drawn and what was read. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length]!;
}

/** 1 − edits ÷ characters drawn, over many texts (spaces count as characters). */
export function characterAccuracy(pairs: ReadonlyArray<{ expected: string; actual: string }>, ignoreSpaces = false): number {
  const norm = (s: string) => (ignoreSpaces ? s.replace(/\s+/g, '') : s);
  let edits = 0;
  let chars = 0;
  for (const p of pairs) {
    edits += editDistance(norm(p.expected), norm(p.actual));
    chars += norm(p.expected).length;
  }
  return 1 - edits / chars;
}
