// A client of the infermesh coordinator that uses nothing of infermesh: plain fetch and a WebSocket,
// following the Open Inference Protocol. Run `npm start` first, then: node examples/client.mjs [URL]
import WebSocket from 'ws';

const base = process.argv[2] ?? 'http://127.0.0.1:9000';

async function infer(model, body) {
  const res = await fetch(`${base}/v2/models/${model}/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${res.status} ${json.code}: ${json.error}`);
  return json;
}

// 1. Text in, labels out.
const texts = ['I love this, what a wonderful day', 'This is terrible and I hate it', 'The table is brown'];
const sentiment = await infer('sentiment', { inputs: [{ name: 'text', datatype: 'BYTES', shape: [texts.length], data: texts }] });
const labels = sentiment.outputs.find((o) => o.name === 'label').data;
const probs = sentiment.outputs.find((o) => o.name === 'probabilities').data;
texts.forEach((t, i) => {
  const p = probs.slice(i * 3, i * 3 + 3).map((x) => x.toFixed(3)).join(' ');
  console.log(`sentiment  ${labels[i].padEnd(8)} [neg neu pos = ${p}]  "${t}"`);
});

// 2. A tensor request: two rows for the MLP (64 features in, 16 out).
const rows = 2;
const input = Array.from({ length: rows * 64 }, (_, i) => Math.sin(i));
const mlp = await infer('mlp', { inputs: [{ name: 'input', datatype: 'FP32', shape: [rows, 64], data: input }] });
const out = mlp.outputs[0];
console.log(`mlp        output ${out.name} shape [${out.shape}] first row ${out.data.slice(0, 4).map((x) => x.toFixed(4)).join(', ')} ...`);

// 3. The pipelined WebSocket API: several requests in flight on one socket, answers matched by id.
const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/v2/ws`);
await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
const pending = new Map();
ws.on('message', (data) => {
  const m = JSON.parse(String(data));
  pending.get(m.id)?.(m);
  pending.delete(m.id);
});
const answers = await Promise.all(
  texts.map((text, i) => new Promise((resolve) => {
    const id = `ws-${i}`;
    pending.set(id, resolve);
    ws.send(JSON.stringify({
      type: 'infer', id, model: 'sentiment',
      request: { inputs: [{ name: 'text', datatype: 'BYTES', shape: [1], data: [text] }] },
    }));
  })),
);
for (const a of answers) {
  console.log(`websocket  ${a.id}: ${a.type === 'result' ? a.response.outputs.find((o) => o.name === 'label').data[0] : `${a.code} ${a.error}`}`);
}
ws.close();
