/**
 * Child process for the crash test: opens a store on argv[2] in argv[3] write mode, writes `count` entries,
 * prints `written <n>` after each batch of 10, then waits to be killed with SIGKILL.
 */
import { SqliteStore } from '../src/sqlite-store.js';

const [path, writeMode, count] = process.argv.slice(2);
if (path === undefined || (writeMode !== 'through' && writeMode !== 'behind')) throw new Error('usage: sqlite-writer <path> <through|behind> <count>');
const store = await SqliteStore.open<{ i: number; data: Float32Array }>({
  tier: 'sqlite',
  sqlite: { path, writeMode, flushIntervalMs: 60_000, flushBatch: 1_000_000 },
});
const n = Number(count ?? 50);
for (let i = 0; i < n; i += 1) {
  await store.set(`key-${i}`, { i, data: new Float32Array([i, i / 2]) });
  if ((i + 1) % 10 === 0) process.stdout.write(`written ${i + 1}\n`);
}
setInterval(() => {}, 1000);
