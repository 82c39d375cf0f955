import { BASELINE_MODELS, baselineSystemLabel, FRONT_DOORS, PLACEMENT_VARIANTS, PROTOCOLS, type BaselineModel, type Skipped } from '../scenarios/scenario.js';
import { goalMet, type BaselineRow, type Figures } from './figures.js';

export interface ReportMeta {
  date: string;
  mode: string;
  durationS: number;
  machine: string;
  coordinatorArgs: readonly string[];
  /** The scenarios run when `--scenario` chose some; empty: every one. */
  scenarios?: readonly string[];
  /** File name of the chart next to the report. */
  chart: string;
}

const num = (n: number, digits: number): string => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const ratio = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? '–' : `${n.toFixed(2)}×`);

function goalText(goal: { max: number } | { min: number } | undefined): string {
  if (!goal) return '';
  return 'max' in goal ? `≤ ${goal.max}` : `≥ ${goal.min}`;
}

/** The report as markdown: headline ratios with their goals, then every step. */
export function renderMarkdown(figures: Figures, skipped: readonly Skipped[], meta: ReportMeta): string {
  const lines: string[] = [
    '# infermesh system benchmark',
    '',
    `${meta.date}, \`--${meta.mode}\` (${meta.durationS} s per step), ${meta.machine}.` +
      (meta.coordinatorArgs.length ? ` Coordinator flags: \`${meta.coordinatorArgs.join(' ')}\`.` : '') +
      (meta.scenarios?.length ? ` Scenarios: ${meta.scenarios.join(', ')} only.` : ''),
    'Absolute figures drift on a shared machine; read the ratios, which come from one run.',
    '',
    '## Ratios',
    '',
    '| ratio | at connections | value | goal | met |',
    '|---|---:|---:|---|---|',
  ];
  for (const h of figures.headlines) {
    const met = goalMet(h);
    lines.push(`| ${h.name} | ${h.connections} | ${ratio(h.value)} | ${goalText(h.goal)} | ${met === undefined ? '' : met ? 'yes' : 'no'} |`);
  }
  lines.push(...baselineSection(figures));
  lines.push(...protocolSection(figures));
  lines.push(...placementSection(figures));
  lines.push(...tracingSection(figures));
  lines.push(...frontDoorSection(figures));
  lines.push(
    '',
    '## Every step',
    '',
    'Offered load is `connections` clients, each with one request in flight (a closed loop). Latency in ms.',
    '"× floor" is the step over the floor (the noop model called on a worker over the transport) at the same connections.',
    '',
    '| scenario | series | conn | req/s | p50 | p95 | p99 | × floor req/s | × floor p50 | × floor p95 | × floor p99 | errors |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const p of figures.points) {
    lines.push(
      `| ${p.scenario} | ${p.series} | ${p.connections} | ${num(p.rps, 0)} | ${num(p.p50, 2)} | ${num(p.p95, 2)} | ${num(p.p99, 2)} | ` +
        `${ratio(p.vsFloor?.rps)} | ${ratio(p.vsFloor?.p50)} | ${ratio(p.vsFloor?.p95)} | ${ratio(p.vsFloor?.p99)} | ${p.errors} |`,
    );
  }
  if (skipped.length) {
    lines.push('', '## Skipped', '');
    for (const s of skipped) lines.push(`- **${s.scenario}**: ${s.reason}`);
  }
  lines.push('', '## Latency against offered load', '', `![p50 and p99 latency against connections](${meta.chart})`, '');
  return lines.join('\n');
}

/** One table per MLP of `rows`, in the order they come: a `### <model>` heading, the header lines, a line per row. */
function tablesByModel<R extends { model: BaselineModel }>(rows: readonly R[], header: readonly [string, string], line: (r: R) => string): string[] {
  const out: string[] = [];
  for (const model of new Set(rows.map((r) => r.model))) {
    out.push('', `### ${BASELINE_MODELS[model].label}`, '', ...header, ...rows.filter((r) => r.model === model).map(line));
  }
  return out;
}

/** How the steps were measured, when in rounds: the figures are medians, and the systems took turns each round. */
function roundsLine(first: BaselineRow | undefined): string[] {
  if (!first || first.rounds <= 1) return [];
  // wrk's own measured duration runs a little over the whole seconds it was given.
  return [`Each figure is the median of ${first.rounds} rounds of about ${num(first.durationS / first.rounds, 0)} s, the systems taking turns in each round.`];
}

/** The plain-server scenario side by side: every system on each MLP, over the plain server at the same connections. */
function baselineSection(figures: Figures): string[] {
  if (figures.baseline.length === 0) return [];
  const lines = [
    '',
    '## Plain server, infermesh and peers on the same model',
    '',
    'The same MLP served by a plain node:http server calling onnxruntime-node per request (one process, no batching),',
    'by infermesh in each layout, and by each peer engine installed here; distinct inputs, response cache off. CPU ms',
    'per answer: user + system time (from /proc) of every process of the system during the step, over its answers;',
    'for infermesh also split into coordinator and workers. Peers that are not installed are listed under "Skipped".',
    ...roundsLine(figures.baseline[0]),
  ];
  lines.push(...tablesByModel(figures.baseline, [
    '| conn | system | req/s | p50 | p99 | CPU ms/answer | coordinator | workers | req/s × plain | p50 × plain | CPU × plain |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ], (r) => {
    const cpu = r.cpuMsPerRequest;
    return `| ${r.connections} | ${baselineSystemLabel(r.system)} | ${num(r.rps, 0)} | ${num(r.p50, 2)} | ${num(r.p99, 2)} | ` +
      `${num(r.cpuMsPerAnswer ?? Number.NaN, 3)} | ${num(cpu?.coordinator ?? Number.NaN, 3)} | ${num(cpu?.modelWorkers ?? Number.NaN, 3)} | ` +
      `${ratio(r.vsPlain?.rps)} | ${ratio(r.vsPlain?.p50)} | ${ratio(r.vsPlain?.cpuMsPerAnswer)} |`;
  }));
  return lines;
}

/** The tracing scenario: CPU per request of coordinator and worker by sampling ratio, over the unsampled cluster at the same connections. */
function tracingSection(figures: Figures): string[] {
  const rows = figures.points.filter((p) => p.tracing).sort((a, b) => a.connections - b.connections || a.tracing!.sampling - b.tracing!.sampling);
  if (rows.length === 0) return [];
  const lines = [
    '',
    '## Tracing: CPU per request by sampling ratio',
    '',
    'The heavy MLP (1024 distinct inputs, cache off) on three clusters of one coordinator and one worker that differ only in',
    '`OTEL_TRACES_SAMPLER=parentbased_traceidratio` `OTEL_TRACES_SAMPLER_ARG`, every sampled span exported over OTLP/HTTP',
    'protobuf to a sink. CPU ms per answer: user + system time of each process over the step, divided by the answers.',
    '',
    '| conn | sampled | req/s | p50 | p99 | coordinator CPU ms/answer | worker CPU ms/answer | coordinator × unsampled | worker × unsampled |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const base = rows.find((b) => b.connections === r.connections && b.tracing!.sampling === 0);
    const over = (pick: 'coordinator' | 'modelWorkers'): string =>
      ratio(base?.cpuMsPerRequest && r.cpuMsPerRequest ? r.cpuMsPerRequest[pick] / base.cpuMsPerRequest[pick] : undefined);
    lines.push(
      `| ${r.connections} | ${r.tracing!.sampling * 100} % | ${num(r.rps, 0)} | ${num(r.p50, 2)} | ${num(r.p99, 2)} | ` +
        `${num(r.cpuMsPerRequest?.coordinator ?? Number.NaN, 3)} | ${num(r.cpuMsPerRequest?.modelWorkers ?? Number.NaN, 3)} | ${over('coordinator')} | ${over('modelWorkers')} |`,
    );
  }
  return lines;
}

/** The protocols scenario side by side: each protocol on each MLP, over the floor and over JSON HTTP at the same connections. */
function protocolSection(figures: Figures): string[] {
  if (figures.protocols.length === 0) return [];
  const lines = [
    '',
    '## Client protocols: JSON HTTP, binary HTTP, gRPC',
    '',
    'The same MLP load (1024 distinct inputs in one shared turn, cache off) on the cluster `npm start` runs (coordinator',
    'with 2 worker threads), sent as JSON over HTTP, as the binary tensor data extension over HTTP (raw FP32 in and out),',
    'and as gRPC ModelInfer with raw contents (N callers on one channel). CPU ms per answer: user + system time (from',
    '/proc) of the coordinator process during the step, its worker threads (the model\'s compute) included, over its',
    'answers; "main thread": the same for its event loop alone, where the protocol is parsed and written.',
  ];
  lines.push(...tablesByModel(figures.protocols, [
    '| conn | protocol | req/s | p50 | p99 | coordinator CPU ms/answer | main thread | req/s × floor | p50 × floor | p99 × floor | req/s × JSON | p50 × JSON | p99 × JSON | CPU × JSON | main thread × JSON |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ], (r) =>
    `| ${r.connections} | ${PROTOCOLS[r.protocol].label} | ${num(r.rps, 0)} | ${num(r.p50, 2)} | ${num(r.p99, 2)} | ${num(r.cpuMsPerAnswer ?? Number.NaN, 3)} | ${num(r.mainThreadCpuMsPerAnswer ?? Number.NaN, 3)} | ` +
      `${ratio(r.vsFloor?.rps)} | ${ratio(r.vsFloor?.p50)} | ${ratio(r.vsFloor?.p99)} | ` +
      `${ratio(r.vsJson?.rps)} | ${ratio(r.vsJson?.p50)} | ${ratio(r.vsJson?.p99)} | ${ratio(r.vsJson?.cpuMsPerAnswer)} | ${ratio(r.vsJson?.mainThreadCpuMsPerAnswer)} |`,
  ));
  return lines;
}

/** The placement scenario side by side: each variant at the same text length and connections, over co-located. */
function placementSection(figures: Figures): string[] {
  if (figures.placement.length === 0) return [];
  const lines = ['', '## Placement: co-located or disaggregated pre-processing', ''];
  if (figures.preprocessCosts.length) {
    lines.push(
      'What one request\'s pre-processing (the sentiment model\'s `tokenize`) costs, timed in the bench process with the',
      'model\'s own pipeline; and what disaggregation moves per request: the body in, the bag of words out and back in.',
      '',
      '| words per text | pre-processing p50 | p99 | request body | bag of words (FP32 [1, V]) |',
      '|---:|---:|---:|---:|---:|',
    );
    for (const c of figures.preprocessCosts) {
      lines.push(`| ${c.words} | ${num(c.p50Ms, 3)} ms | ${num(c.p99Ms, 3)} ms | ${c.bodyBytes} B | ${c.bowBytes} B |`);
    }
    lines.push('');
  }
  lines.push(
    'CPU ms per answer: the CPU time (user + system, from /proc) each role of the cluster spent during the step, over',
    'the answers; it holds better than req/s when other work shares the machine.',
    '',
    '| words | conn | placement | req/s | p50 | p99 | req/s × co-located | p50 × co-located | p99 × co-located | CPU ms/answer: coordinator | model workers | processors |',
    '|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const r of figures.placement) {
    const cpu = r.cpuMsPerRequest;
    lines.push(
      `| ${r.words} | ${r.connections} | ${PLACEMENT_VARIANTS[r.variant].label} | ${num(r.rps, 0)} | ${num(r.p50, 2)} | ${num(r.p99, 2)} | ` +
        `${ratio(r.vsColocated?.rps)} | ${ratio(r.vsColocated?.p50)} | ${ratio(r.vsColocated?.p99)} | ` +
        `${num(cpu?.coordinator ?? Number.NaN, 2)} | ${num(cpu?.modelWorkers ?? Number.NaN, 2)} | ${num(cpu?.processors ?? Number.NaN, 2)} |`,
    );
  }
  return lines;
}

/** The haproxy scenario: each MLP straight to a coordinator, through HAProxy to it, and through HAProxy to two; then the failover step. */
function frontDoorSection(figures: Figures): string[] {
  if (figures.frontDoors.length === 0 && figures.failovers.length === 0) return [];
  const lines = [
    '',
    '## HAProxy in front of one and two coordinators',
    '',
    'The same two worker processes (each listening; every coordinator dials both, as in the multi-host layout) reached',
    'straight through one coordinator, through HAProxy (the docs/deploy.md §6 configuration) to that coordinator, and',
    'through HAProxy to two; 1024 distinct inputs in one shared turn, cache off; the three take turns at each step. CPU',
    'ms per answer: user + system time (from /proc) during the step over its answers, for the coordinators on the path',
    'summed, the workers, and HAProxy. "+ ms" is the step\'s p50 minus the direct p50.',
    '',
    'On 2 cores the load generator, HAProxy, the coordinators and the workers share the cores, so a second',
    'coordinator cannot add throughput here: CPU per answer (and no errors) is the figure. On N cores expect',
    'coordinator throughput to grow about linearly with coordinators until the workers saturate: coordinators share',
    'no state on the request path (each admits, batches and routes on its own; the response cache in Redis is',
    'optional), so a second one adds its event loop and, per answer, costs what the first does.',
  ];
  lines.push(...tablesByModel(figures.frontDoors, [
    '| conn | front door | req/s | p50 | p99 | CPU ms/answer: coordinators | workers | HAProxy | all | req/s × direct | p50 × direct | p50 + ms | p99 × direct | coordinators\' CPU × direct | all CPU × direct | errors |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ], (r) => {
    const c = r.cpu;
    const v = r.vsDirect;
    return `| ${r.connections} | ${FRONT_DOORS[r.door].label} | ${num(r.rps, 0)} | ${num(r.p50, 2)} | ${num(r.p99, 2)} | ` +
      `${num(c?.coordinators ?? Number.NaN, 3)} | ${num(c?.workers ?? Number.NaN, 3)} | ${num(c?.proxy ?? Number.NaN, 3)} | ${num(c?.total ?? Number.NaN, 3)} | ` +
      `${ratio(v?.rps)} | ${ratio(v?.p50)} | ${v ? num(v.p50AddedMs, 2) : '–'} | ${ratio(v?.p99)} | ${ratio(v?.coordinatorCpu)} | ${ratio(v?.totalCpu)} | ${r.errors} |`;
  }));
  if (figures.failovers.length) {
    lines.push(
      '',
      '### Failover: one of two coordinators SIGKILLed under load',
      '',
      'Through HAProxy to two coordinators, the second is SIGKILLed halfway through the step; HAProxy retries what was in',
      'flight on it on the other (`retry-on all-retryable-errors`, `option redispatch`) and stops sending to it after two',
      'failed checks (500 ms apart). "last failure": from the kill to the last non-2xx answer.',
      '',
      '| model | conn | killed at | answers ok | failed | last failure after kill | longest request |',
      '|---|---:|---:|---:|---:|---:|---:|',
    );
    for (const f of figures.failovers) {
      lines.push(
        `| ${BASELINE_MODELS[f.model].label} | ${f.connections} | ${num(f.killedAtS, 1)} s | ${f.ok} | ${f.failed} | ` +
          `${f.lastFailureAfterKillMs === undefined ? 'none' : `${num(f.lastFailureAfterKillMs, 0)} ms`} | ${num(f.maxLatencyMs, 0)} ms |`,
      );
    }
  }
  return lines;
}
