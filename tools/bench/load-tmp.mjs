import autocannon from 'autocannon';
const [url, c, d] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4] ?? 5)];
const bodies = Array.from({ length: 1024 }, (_, k) => JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: Array.from({ length: 64 }, (_, i) => Math.sin(k * 64 + i)) }] }));
let n = 0;
const r = await autocannon({ url, method: 'POST', connections: c, duration: d, headers: { 'content-type': 'application/json' },
  requests: [{ setupRequest: (req) => ({ ...req, body: bodies[n++ % bodies.length] }) }] });
console.log(JSON.stringify({ url, c, rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors }));
