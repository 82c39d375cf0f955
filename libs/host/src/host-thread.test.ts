import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workerProtocol, type InferBatchRequest } from '@infermesh/contracts';
import { DEFAULT_MLP_DIMS, mlpReference, mlpWeights, writeModelRepository } from '@infermesh/models';
import { ClosedError, connectPort } from '@infermesh/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostThreadError, startHostThread, startInlineHost } from './index.js';

let repository: string;
beforeAll(async () => {
  repository = mkdtempSync(join(tmpdir(), 'im-host-thread-'));
  await writeModelRepository({ out: repository, models: ['mlp', 'sentiment'] });
});
afterAll(() => rmSync(repository, { recursive: true, force: true }));

describe('startHostThread: a worker on a thread of this process', () => {
  it('loads the real ONNX models and answers describe and infer on its port, as a worker process would', async () => {
    const host = await startHostThread({ id: 'embedded-1', repository, maxConcurrency: 3 });
    const peer = connectPort(host.port, { protocol: workerProtocol });
    try {
      const info = await peer.call('describe', {});
      expect(info).toMatchObject({ workerId: 'embedded-1', role: 'model', maxConcurrency: 3, pid: process.pid });
      expect(info.models.map((m) => m.name).sort()).toEqual(['mlp', 'sentiment']);

      const rows = 3;
      const input = Float32Array.from({ length: rows * 64 }, (_, i) => Math.sin(i));
      const answer = await peer.call('infer', {
        model: 'mlp', version: '1', items: [{ id: 'a', inputs: { input: { datatype: 'FP32', shape: [rows, 64], data: input } } }],
      });
      const item = answer.items[0]!;
      if (!item.ok) throw new Error(item.error.message);
      const out = item.outputs.output!;
      expect(out.shape).toEqual([rows, 16]);
      const expected = mlpReference(mlpWeights({ dims: [...DEFAULT_MLP_DIMS], seed: 42 }), input, rows);
      [...(out.data as Float32Array)].forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));

      const text = await peer.call('infer', {
        model: 'sentiment', version: '1', items: [{ id: 't', inputs: { text: { datatype: 'BYTES', shape: [1], data: ['I love this wonderful movie'] } } }],
      });
      expect(text.items[0]).toMatchObject({ ok: true, outputs: { label: { data: ['positive'] } } });
    } finally {
      const exited = new Promise((resolve) => host.thread.once('exit', resolve));
      await peer.close();
      // Closing its channel ends the thread by itself.
      expect(await exited).toBe(0);
    }
  });

  it('fails to start with IM_HOST_THREAD_FAILED naming the cause when the repository cannot load', async () => {
    const start = startHostThread({ id: 'broken', repository: join(repository, 'missing') });
    await expect(start).rejects.toBeInstanceOf(HostThreadError);
    await expect(start).rejects.toMatchObject({ code: 'IM_HOST_THREAD_FAILED', message: expect.stringContaining('IM_REGISTRY_') });
  });

  it('a thread that is stopped closes its peer: calls in flight fail with ClosedError', async () => {
    const host = await startHostThread({ id: 'embedded-2', repository, models: ['mlp'] });
    const peer = connectPort(host.port, { protocol: workerProtocol });
    const closed = new Promise((resolve) => peer.once('close', resolve));
    await host.stop();
    expect(await closed).toMatchObject({ willReconnect: false });
    await expect(peer.call('describe', {})).rejects.toBeInstanceOf(ClosedError);
  });
});

describe('startInlineHost: a worker on the caller\'s own thread', () => {
  it('answers the same calls with the same numbers as a thread, and unloads when stopped', async () => {
    const host = await startInlineHost({ id: 'inline-1', repository, models: ['mlp'], maxConcurrency: 2 });
    // As the coordinator connects: the inline worker's answers taken unchecked (the numbers are checked below).
    expect(host.uncheckedAnswers).toEqual(['infer']);
    const peer = connectPort(host.port, { protocol: workerProtocol, uncheckedAnswers: [...host.uncheckedAnswers] });
    const info = await peer.call('describe', {});
    expect(info).toMatchObject({ workerId: 'inline-1', maxConcurrency: 2, pid: process.pid });
    expect(info.models.map((m) => m.name)).toEqual(['mlp']);
    const rows = 2;
    const input = Float32Array.from({ length: rows * 64 }, (_, i) => Math.cos(i));
    // Its infer calls are taken unchecked: sent in the parsed form, as the coordinator's lanes send them.
    const call: InferBatchRequest = {
      model: 'mlp', version: '1', stage: 'all', items: [{ id: 'a', inputs: { input: { datatype: 'FP32', shape: [rows, 64], data: input } }, parameters: {}, outputs: [] }],
    };
    const answer = await peer.call('infer', call);
    const item = answer.items[0]!;
    if (!item.ok) throw new Error(item.error.message);
    const expected = mlpReference(mlpWeights({ dims: [...DEFAULT_MLP_DIMS], seed: 42 }), input, rows);
    [...(item.outputs.output!.data as Float32Array)].forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));

    const closed = new Promise((resolve) => peer.once('close', resolve));
    await host.stop();
    expect(await closed).toMatchObject({ code: 1001, willReconnect: false });
    await expect(peer.call('describe', {})).rejects.toBeInstanceOf(ClosedError);
  });

  it('fails to start with IM_HOST_THREAD_FAILED naming the cause', async () => {
    const start = startInlineHost({ id: 'broken', repository: join(repository, 'missing') });
    await expect(start).rejects.toMatchObject({ code: 'IM_HOST_THREAD_FAILED', message: expect.stringMatching(/^embedded worker broken did not start: IM_REGISTRY_/) });
  });
});
