/**
 * Pipelined RPC round trips per second through @infermesh/transport vs a raw `ws` echo doing the
 * same pipelined round trips (msgpack-encoded `{ id, payload }`, correlated by id, no validation),
 * measured in the same run. Prints a table, the ratios, and one JSON line of figures at the end.
 */
import { Packr } from 'msgpackr';
import { WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod/v4';
import { dial, listen } from '../src/index.js';

const IN_FLIGHT = 64;
const ROUNDS = 3;
const small = { n: 42, s: 'hello' };
const tensor = { data: new Float32Array(1024).map((_, i) => i / 7) };
interface Case {
  name: string;
  payload: typeof small | typeof tensor;
  calls: number;
}
const cases: Case[] = [
  { name: 'small', payload: small, calls: 20_000 },
  { name: 'f32x1024 (4 KB)', payload: tensor, calls: 10_000 },
];

const protocol = {
  small: { request: z.object({ n: z.number(), s: z.string() }), response: z.object({ n: z.number(), s: z.string() }) },
  tensor: { request: z.object({ data: z.instanceof(Float32Array) }), response: z.object({ data: z.instanceof(Float32Array) }) },
};

async function pipelined(calls: number, once: () => Promise<unknown>): Promise<number> {
  let left = calls;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (left > 0) {
        left -= 1;
        await once();
      }
    }),
  );
  return calls / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function withTransport(): Promise<{ run: (c: Case) => Promise<number>; close: () => Promise<void> }> {
  const server = await listen({ protocol, handlers: { small: (r) => r, tensor: (r) => r } });
  const peer = dial(`ws://127.0.0.1:${server.port}`, { protocol, reconnect: false });
  await peer.ready();
  return {
    run: (c) =>
      pipelined(c.calls, () =>
        c.payload === small ? peer.call('small', small) : peer.call('tensor', tensor),
      ),
    close: async () => {
      await peer.close();
      await server.close();
    },
  };
}

async function withRawWs(): Promise<{ run: (c: Case) => Promise<number>; close: () => Promise<void> }> {
  const packr = new Packr({ moreTypes: true, useRecords: false });
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (ws) => ws.on('message', (data) => ws.send(data as Buffer, { binary: true })));
  const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`, { perMessageDeflate: false });
  await new Promise((r) => ws.once('open', r));
  const waiting = new Map<number, (v: unknown) => void>();
  ws.on('message', (data) => {
    const msg = packr.unpack(data as Buffer) as { id: number; payload: unknown };
    waiting.get(msg.id)?.(msg.payload);
    waiting.delete(msg.id);
  });
  let nextId = 1;
  return {
    run: (c) =>
      pipelined(c.calls, () => {
        const id = nextId++;
        return new Promise((resolve) => {
          waiting.set(id, resolve);
          ws.send(packr.pack({ id, payload: c.payload }), { binary: true });
        });
      }),
    close: async () => {
      ws.terminate();
      await new Promise((r) => wss.close(r));
    },
  };
}

const transport = await withTransport();
const raw = await withRawWs();
const results: Record<string, { transport: number; rawWs: number; ratio: number }> = {};
for (const c of cases) {
  await transport.run({ ...c, calls: 2000 });
  await raw.run({ ...c, calls: 2000 });
  const t: number[] = [];
  const r: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    t.push(await transport.run(c));
    r.push(await raw.run(c));
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const tm = median(t);
  const rm = median(r);
  results[c.name] = { transport: Math.round(tm), rawWs: Math.round(rm), ratio: Number((tm / rm).toFixed(2)) };
}
await transport.close();
await raw.close();

const rows = Object.entries(results).map(([name, v]) => `| ${name.padEnd(16)} | ${String(v.transport).padStart(10)} | ${String(v.rawWs).padStart(10)} | ${v.ratio.toFixed(2).padStart(5)} |`);
process.stdout.write(
  [
    `pipelined round trips/s, ${IN_FLIGHT} in flight, median of ${ROUNDS} rounds (node ${process.version})`,
    '| payload          |  transport |     raw ws | ratio |',
    '|------------------|-----------:|-----------:|------:|',
    ...rows,
    '',
    JSON.stringify({ bench: '@infermesh/transport rpc', inFlight: IN_FLIGHT, node: process.version, results }),
    '',
  ].join('\n'),
);
