import cluster, { type Worker as ClusterProcess } from 'node:cluster';
import { ApiError, isApiErrorCode } from '@infermesh/contracts';
import { stopWithParent } from '@infermesh/foundation';
import type { Logger } from '@infermesh/telemetry';
import { z } from 'zod';

/**
 * A coordinator that serves from several processes (`processes` > 1). node:cluster forks them from the
 * process started (the primary, which serves nothing: it supervises), and they share the HTTP and gRPC
 * ports. Each is a whole coordinator, with its own lanes, balancers, cache, embedded workers and inline
 * models, so a request never crosses a process. What a client may see from any process, though, is asked
 * of the siblings through the primary: the metrics (merged), a model load or unload (done by all), an
 * async result or a trace that another process holds. This file is that group: the primary's supervision
 * and relay, and each process's side of it.
 */

/** What one process asks the others. */
export const SiblingQuestionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('metrics') }),
  z.object({ kind: z.literal('load'), name: z.string() }),
  z.object({ kind: z.literal('unload'), name: z.string() }),
  z.object({ kind: z.literal('job'), id: z.string(), owner: z.number().int().optional() }),
  z.object({ kind: z.literal('trace'), id: z.string() }),
]);
export type SiblingQuestion = z.infer<typeof SiblingQuestionSchema>;

/** One sibling's answer: its value, or the error (code and message) its handler threw. */
const AnswerSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), code: z.string(), message: z.string() }),
]);
export type SiblingAnswer = z.infer<typeof AnswerSchema>;

/** The IPC messages of the group (process.send): checked on receipt, as any channel's are. Others are ignored. */
const MessageSchema = z.discriminatedUnion('im', [
  /** process → primary: it serves (its ports are open). */
  z.object({ im: z.literal('serving') }),
  /** process → primary: ask every other process. */
  z.object({ im: z.literal('ask'), id: z.int(), question: SiblingQuestionSchema, timeoutMs: z.int().min(1) }),
  /** primary → process: answer a sibling's question. */
  z.object({ im: z.literal('do'), relay: z.int(), question: SiblingQuestionSchema }),
  /** process → primary: its answer. */
  z.object({ im: z.literal('did'), relay: z.int(), answer: AnswerSchema }),
  /** primary → the asking process: every other process's answer. */
  z.object({ im: z.literal('answers'), id: z.int(), answers: z.array(AnswerSchema) }),
]);
type Message = z.infer<typeof MessageSchema>;

function parseMessage(raw: unknown): Message | undefined {
  const parsed = MessageSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** The environment variable that tells a forked process its place in the group (1..N). */
const INDEX_VARIABLE = 'INFERMESH_PROCESS_INDEX';

/**
 * The worker-channel port of process `index` (1..N) of a group whose ports start at `base`: each process
 * listens on its own, and a worker joins the whole group by dialling each (a worker dials any number of
 * coordinators), so every process sees every worker. Base 0 (any free port) gives each process a free port
 * of its own, which it logs ("worker channel listening"); before, process 2 of such a group took port 1.
 */
export function groupWorkerPort(base: number, index: number): number {
  return base === 0 ? 0 : base + index - 1;
}

/** Every worker-channel port of a group of `processes`, in process order. */
export function groupWorkerPorts(base: number, processes: number): number[] {
  return Array.from({ length: processes }, (_, i) => groupWorkerPort(base, i + 1));
}

export interface SupervisorOptions {
  processes: number;
  log: Logger;
  /** A process that dies after it served is forked again after this long. Default 1 s. */
  restartDelayMs?: number;
  /** More restarts than this within a minute stop the group (a crash loop). Default 5. */
  maxRestartsPerMinute?: number;
}

interface Member {
  index: number;
  process: ClusterProcess;
  serving: boolean;
}

interface Relay {
  key: number;
  asker: Member;
  id: number;
  waiting: Map<ClusterProcess, number>;
  answers: SiblingAnswer[];
  timer: NodeJS.Timeout;
}

const EXITED: SiblingAnswer = { ok: false, code: 'IM_INTERNAL', message: 'a coordinator process exited before it answered' };
const TIMED_OUT: SiblingAnswer = { ok: false, code: 'IM_TIMEOUT', message: 'a coordinator process did not answer in time' };

/**
 * The primary: forks the processes, relays their questions, forks again one that dies after it served,
 * and stops the group on SIGTERM / SIGINT, or when its own parent goes (each process drains as a lone
 * coordinator does). A process that dies before it serves (a port in use, a model that does not load)
 * stops the group with its exit code: the start failed, and a restart would fail the same way. Resolves
 * with the exit code.
 */
export function superviseProcesses(options: SupervisorOptions): Promise<number> {
  const { log } = options;
  const restartDelayMs = options.restartDelayMs ?? 1_000;
  const maxRestarts = options.maxRestartsPerMinute ?? 5;
  const members = new Map<number, Member>();
  const relays = new Map<number, Relay>();
  const restarts: number[] = [];
  let nextRelay = 1;
  let stopping = false;
  let exitCode = 0;

  return new Promise<number>((resolve) => {
    const finishIfEmpty = (): void => {
      if (stopping && members.size === 0) resolve(exitCode);
    };
    const stopAll = (code: number): void => {
      if (stopping) return;
      stopping = true;
      exitCode = code;
      for (const m of members.values()) m.process.process.kill('SIGTERM');
      finishIfEmpty();
    };
    const settle = (relay: Relay, answer: SiblingAnswer, from: ClusterProcess): void => {
      const at = relay.waiting.get(from);
      if (at === undefined) return;
      relay.waiting.delete(from);
      relay.answers[at] = answer;
      if (relay.waiting.size === 0) finishRelay(relay);
    };
    const finishRelay = (relay: Relay): void => {
      clearTimeout(relay.timer);
      relays.delete(relay.key);
      if (relay.asker.process.isConnected()) relay.asker.process.send({ im: 'answers', id: relay.id, answers: relay.answers } satisfies Message);
    };
    const fork = (index: number): void => {
      const child = cluster.fork({ [INDEX_VARIABLE]: String(index) });
      const member: Member = { index, process: child, serving: false };
      members.set(index, member);
      child.on('message', (raw: unknown) => {
        const message = parseMessage(raw);
        if (!message) return;
        if (message.im === 'serving') {
          member.serving = true;
          if ([...members.values()].every((m) => m.serving)) log.info({ processes: members.size }, 'coordinator processes serving');
        } else if (message.im === 'ask') {
          const others = [...members.values()].filter((m) => m !== member && m.process.isConnected());
          const relay: Relay = {
            key: nextRelay++, asker: member, id: message.id, waiting: new Map(others.map((m, i) => [m.process, i])),
            answers: others.map(() => TIMED_OUT), timer: setTimeout(() => finishRelay(relay), message.timeoutMs),
          };
          relays.set(relay.key, relay);
          if (others.length === 0) finishRelay(relay);
          for (const m of others) m.process.send({ im: 'do', relay: relay.key, question: message.question } satisfies Message);
        } else if (message.im === 'did') {
          const relay = relays.get(message.relay);
          if (relay) settle(relay, message.answer, child);
        }
      });
      child.on('exit', (code, signal) => {
        members.delete(index);
        for (const relay of [...relays.values()]) settle(relay, EXITED, child);
        if (stopping) {
          finishIfEmpty();
          return;
        }
        if (!member.serving) {
          log.error({ child: index, code, signal }, 'coordinator process failed to start: stopping the group');
          stopAll(typeof code === 'number' && code !== 0 ? code : 1);
          return;
        }
        const now = Date.now();
        restarts.push(now);
        while (restarts.length > 0 && restarts[0]! < now - 60_000) restarts.shift();
        if (restarts.length > maxRestarts) {
          log.error({ child: index, code, signal, restarts: restarts.length }, 'coordinator processes keep dying: stopping the group');
          stopAll(1);
          return;
        }
        log.error({ child: index, code, signal }, 'coordinator process died: forking it again');
        setTimeout(() => {
          if (!stopping) fork(index);
        }, restartDelayMs).unref();
      });
    };
    for (let i = 1; i <= options.processes; i++) fork(i);
    log.info({ processes: options.processes, pid: process.pid }, 'coordinator process group started');
    process.on('SIGTERM', () => stopAll(0));
    process.on('SIGINT', () => stopAll(0));
    stopWithParent(() => stopAll(0));
  });
}

/** How a process answers each question of its siblings. */
export interface SiblingHandlers {
  metrics(): Promise<unknown>;
  load(name: string): Promise<void>;
  unload(name: string): Promise<void>;
  job(id: string, owner: number | undefined): unknown;
  trace(id: string): unknown;
}

/** An error a handler throws, as it crosses to the asker: its `IM_*` code when it has one. */
function answerOfError(error: unknown): SiblingAnswer {
  const code = (error as { code?: unknown })?.code;
  return { ok: false, code: typeof code === 'string' ? code : 'IM_INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

/**
 * One process's side of the group: asks the others (through the primary) and answers theirs.
 * `ProcessSiblings.ofThisProcess()` is undefined in a coordinator of one process.
 */
export class ProcessSiblings {
  /** This process's place in the group, 1..N. */
  readonly index: number;
  #handlers: SiblingHandlers | undefined;
  readonly #asked = new Map<number, (answers: SiblingAnswer[]) => void>();
  #nextId = 1;

  private constructor(index: number) {
    this.index = index;
    process.on('message', (raw: unknown) => {
      const message = parseMessage(raw);
      if (message?.im === 'answers') {
        this.#asked.get(message.id)?.(message.answers);
        this.#asked.delete(message.id);
      } else if (message?.im === 'do') {
        void this.#answer(message.question).then((answer) => process.send?.({ im: 'did', relay: message.relay, answer } satisfies Message));
      }
    });
  }

  /** This process's worker-channel port, in a group whose ports start at `base` (`groupWorkerPort`). */
  workerPort(base: number): number {
    return groupWorkerPort(base, this.index);
  }

  /** The group's view from this process when it is one of a group (forked by `superviseProcesses`). */
  static ofThisProcess(): ProcessSiblings | undefined {
    const index = Number(process.env[INDEX_VARIABLE]);
    return cluster.isWorker && Number.isInteger(index) && index >= 1 ? new ProcessSiblings(index) : undefined;
  }

  /** How this process answers; a question that arrives before is answered IM_INTERNAL (still starting). */
  answerWith(handlers: SiblingHandlers): void {
    this.#handlers = handlers;
  }

  /** Tells the primary this process serves: from now on, its death is a crash to recover from, not a failed start. */
  serving(): void {
    process.send?.({ im: 'serving' } satisfies Message);
  }

  /** Every other process's answer (in no particular order); one that does not answer in time answers IM_TIMEOUT. */
  ask(question: SiblingQuestion, timeoutMs: number): Promise<SiblingAnswer[]> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#asked.set(id, resolve);
      process.send?.({ im: 'ask', id, question, timeoutMs: Math.max(1, Math.round(timeoutMs)) } satisfies Message);
    });
  }

  /** Every other process's answer as a value; the first failure as an ApiError (its own code when it is one). */
  async askAll(question: SiblingQuestion, timeoutMs: number): Promise<unknown[]> {
    const answers = await this.ask(question, timeoutMs);
    for (const a of answers) if (!a.ok) throw new ApiError(isApiErrorCode(a.code) ? a.code : 'IM_INTERNAL', `another process of this coordinator: ${a.message}`);
    return answers.map((a) => (a.ok ? a.value : undefined));
  }

  /** The first sibling's value that is not null (a job, a trace it holds); a failed or silent sibling counts as not holding it. */
  async find<T>(question: SiblingQuestion, timeoutMs = 5_000): Promise<T | undefined> {
    const answers = await this.ask(question, timeoutMs);
    for (const a of answers) if (a.ok && a.value !== null) return a.value as T;
    return undefined;
  }

  async #answer(question: SiblingQuestion): Promise<SiblingAnswer> {
    const handlers = this.#handlers;
    if (!handlers) return { ok: false, code: 'IM_INTERNAL', message: 'a coordinator process is still starting' };
    try {
      switch (question.kind) {
        case 'metrics':
          return { ok: true, value: await handlers.metrics() };
        case 'load':
          await handlers.load(question.name);
          return { ok: true, value: null };
        case 'unload':
          await handlers.unload(question.name);
          return { ok: true, value: null };
        case 'job':
          return { ok: true, value: handlers.job(question.id, question.owner) ?? null };
        case 'trace':
          return { ok: true, value: handlers.trace(question.id) ?? null };
      }
    } catch (error) {
      return answerOfError(error);
    }
  }
}
