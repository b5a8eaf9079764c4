// bench/stream, host-only: the fake Ollama server → sidecar → host relay → a webview sink that
// serializes and acks, beside the same stream fetched and parsed by Node in-process (what an
// extension without a sidecar does). The real webview is measured by bench/webview.
//
// - Bulk: 100,000 tokens as fast as the provider writes them (256 a write), the two paths in
//   interleaved pairs; each pair gives one ratio and the worst pair is gated.
// - Time to first token on short answers, in pairs; the overhead is taken per pair, then its median.
// - Model speed: 50, 200 and 1,000 tokens/s, one token per write. The provider writes each token to
//   the sidecar's connection and to an in-process reader's (in a process of its own) in lockstep,
//   so every token gives one sample of added latency: (write → sink through the sidecar) −
//   (write → arrival in-process). The CPU the sidecar and the host (this process) spend is read
//   around the same runs.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ChannelEnvelope } from '../../src/protocol/webviewMessages';
import { startFakeProviderProcess, type FakeProvider } from '../lib/fakeProvider';
import { startPipeline, type Pipeline } from '../lib/pipeline';
import { format, Report } from '../lib/report';
import { least, liveThreadsCpuMs, median, nowMs, percentile, worst } from '../lib/stats';

const BULK_TOKENS = 100_000;
const BULK_PAIRS = 3;
const TTFT_PAIRS = 40;
const MODEL = 'llama3.2:latest';
const TOKEN_TEXT = 'tok ';
/** Model-speed runs: rate, tokens per run, runs (the gated rate gets three). */
const PACED = [
  { perSecond: 50, tokens: 500, runs: 1 },
  { perSecond: 200, tokens: 1_000, runs: 3 },
  { perSecond: 1_000, tokens: 2_000, runs: 1 },
];
const GATED_RATE = 200;

interface BulkResult {
  seconds: number;
  firstTokenMs: number;
  tokens: number;
}

/** The product's path: generate_completion_stream on a channel relayed to the webview sink. */
async function throughSidecar(pipeline: Pipeline, fake: FakeProvider, onText?: (text: string, arrival: number) => void): Promise<BulkResult> {
  let characters = 0;
  let firstTokenAt = 0;
  let failure: string | undefined;
  let finish: () => void = () => {};
  const ended = new Promise<void>((resolve) => (finish = resolve));
  const id = pipeline.openChannel((envelope: ChannelEnvelope) => {
    const arrival = nowMs();
    const message = envelope.message as { event: string; data: { text?: string; message?: string } };
    if (message.event === 'Chunk' && message.data.text) {
      if (firstTokenAt === 0) firstTokenAt = arrival;
      characters += message.data.text.length;
      onText?.(message.data.text, arrival);
    }
    if (message.event === 'Error') failure = message.data.message;
    if (envelope.terminal) finish();
  });
  const started = nowMs();
  await pipeline.supervisor.request('generate_completion_stream', {
    provider: 'ollama',
    model: MODEL,
    messages: [{ role: 'user', content: 'Say something long.' }],
    host: fake.url,
    apiKey: '',
    tools: false,
    onEvent: id,
  });
  await ended;
  if (failure) throw new Error(`the stream failed: ${failure}`);
  return { seconds: (nowMs() - started) / 1000, firstTokenMs: firstTokenAt - started, tokens: characters / TOKEN_TEXT.length };
}

/** The in-process baseline: fetch /api/chat, split NDJSON, parse, post each read's text. */
async function inProcess(fake: FakeProvider): Promise<BulkResult> {
  const sink = (message: unknown) => JSON.stringify(message); // what postMessage pays
  const started = nowMs();
  const response = await fetch(`${fake.url}/api/chat`, {
    method: 'POST',
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Say something long.' }], stream: true }),
  });
  const decoder = new TextDecoder();
  let partial = '';
  let characters = 0;
  let firstTokenAt = 0;
  const reader = response.body!.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    const lines = (partial + decoder.decode(read.value, { stream: true })).split('\n');
    partial = lines.pop() ?? '';
    let text = '';
    for (const line of lines) {
      if (!line) continue;
      const chunk = JSON.parse(line) as { message?: { content?: string } };
      text += chunk.message?.content ?? '';
    }
    if (text) {
      if (firstTokenAt === 0) firstTokenAt = nowMs();
      characters += text.length;
      sink({ type: 'channel', messages: [{ event: 'Chunk', data: { text } }] });
    }
  }
  return { seconds: (nowMs() - started) / 1000, firstTokenMs: firstTokenAt - started, tokens: characters / TOKEN_TEXT.length };
}

interface PacedResult {
  /** Per token: (write → sink through the sidecar) − (write → arrival in-process). */
  added: number[];
  /** Per token, write → sink through the sidecar. */
  total: number[];
  tokens: number;
  seconds: number;
  sidecarCpuMs: number;
  hostCpuMs: number;
  /** The in-process reader's CPU for the same stream: one Node process woken once per token. */
  directCpuMs: number;
  missing: number;
}

/** Runs the in-process reader in its own process; resolves to its token arrival times. */
function directReader(root: string, fake: FakeProvider): { done: Promise<{ arrivals: Record<string, number>; cpuMs: number }> } {
  const child = spawn(process.execPath, [join(root, 'bench/stream/direct-reader.mjs'), fake.url, MODEL], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (data: string) => (output += data));
  const done = new Promise<{ arrivals: Record<string, number>; cpuMs: number }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`the in-process reader exited with ${code}`));
      else resolve(JSON.parse(output) as { arrivals: Record<string, number>; cpuMs: number });
    });
  });
  return { done };
}

/** One model-speed run: the sidecar's path and the in-process reader on one lockstep stream. */
async function pacedRun(root: string, pipeline: Pipeline, fake: FakeProvider, perSecond: number, tokens: number): Promise<PacedResult> {
  await fake.reset();
  const entry = { paced: { perSecond, count: tokens, group: 'pair', groupSize: 2 } };
  await fake.script({ ollama: [entry, entry] });
  const sinkArrivals = new Map<number, number>();
  const reader = directReader(root, fake);
  const hostBefore = process.cpuUsage();
  const sidecarBefore = liveThreadsCpuMs(pipeline.sidecarPid);
  const started = nowMs();
  await throughSidecar(pipeline, fake, (text, arrival) => {
    for (const match of text.matchAll(/w(\d+)/g)) if (!sinkArrivals.has(Number(match[1]))) sinkArrivals.set(Number(match[1]), arrival);
  });
  const seconds = (nowMs() - started) / 1000;
  const host = process.cpuUsage(hostBefore);
  const sidecarCpuMs = liveThreadsCpuMs(pipeline.sidecarPid) - sidecarBefore;
  const { arrivals: directArrivals, cpuMs: directCpuMs } = await reader.done;
  const chats = (await fake.requests()).filter((request) => request.path === '/api/chat' && request.writeTimes);
  const directWrites = chats.find((request) => request.headers['x-bench-path'] === 'direct')?.writeTimes ?? [];
  const sidecarWrites = chats.find((request) => request.headers['x-bench-path'] !== 'direct')?.writeTimes ?? [];
  const added: number[] = [];
  const total: number[] = [];
  let missing = 0;
  for (let token = 0; token < tokens; token += 1) {
    const viaSidecar = (sinkArrivals.get(token) ?? NaN) - sidecarWrites[token];
    const inProcessLatency = (directArrivals[token] ?? NaN) - directWrites[token];
    if (!Number.isFinite(viaSidecar) || !Number.isFinite(inProcessLatency)) {
      missing += 1;
      continue;
    }
    total.push(viaSidecar);
    added.push(viaSidecar - inProcessLatency);
  }
  return { added, total, tokens, seconds, sidecarCpuMs, hostCpuMs: (host.user + host.system) / 1000, directCpuMs, missing };
}

export async function main(root: string): Promise<Report> {
  const report = new Report('stream');
  const fake = await startFakeProviderProcess(root);
  const pipeline = await startPipeline(root, [fake.url]);
  try {
    // Warm-up: JIT, the connection pool, the sidecar's cached model facts, the paced path.
    for (let run = 0; run < 3; run += 1) {
      await fake.script({ ollama: [{ tokens: 5_000 }, { tokens: 5_000 }] });
      await throughSidecar(pipeline, fake);
      await inProcess(fake);
    }
    await pacedRun(root, pipeline, fake, 1_000, 500);

    // Bulk throughput, pairs alternating which path goes first.
    const ratios: number[] = [];
    const productRates: number[] = [];
    const baselineRates: number[] = [];
    let complete = true;
    for (let pair = 0; pair < BULK_PAIRS; pair += 1) {
      const runs: Record<'product' | 'baseline', BulkResult | undefined> = { product: undefined, baseline: undefined };
      for (const path of pair % 2 === 0 ? (['product', 'baseline'] as const) : (['baseline', 'product'] as const)) {
        await fake.script({ ollama: [{ tokens: BULK_TOKENS }] });
        runs[path] = path === 'product' ? await throughSidecar(pipeline, fake) : await inProcess(fake);
      }
      const product = runs.product!;
      const baseline = runs.baseline!;
      complete &&= product.tokens === BULK_TOKENS && baseline.tokens === BULK_TOKENS;
      productRates.push(product.tokens / product.seconds);
      baselineRates.push(baseline.tokens / baseline.seconds);
      ratios.push(product.tokens / product.seconds / (baseline.tokens / baseline.seconds));
    }
    const list = (values: number[], digits: number, unit = '') => values.map((value) => `${format(value, digits)}${unit}`).join(', ');
    report.log(`bulk: ${format(BULK_TOKENS)} tokens per run (256 a write), ${BULK_PAIRS} pairs`);
    report.log(`  in-process tokens/s: ${list(baselineRates, 0)}; through the sidecar: ${list(productRates, 0)}; ratios ${list(ratios, 2, '×')}`);

    // Time to first token on short answers, in pairs.
    const ttftOverhead: number[] = [];
    const productFirst: number[] = [];
    for (let pair = 0; pair < TTFT_PAIRS; pair += 1) {
      await fake.script({ ollama: [{ text: 'Hello there, this is a short answer.' }] });
      const product = await throughSidecar(pipeline, fake);
      await fake.script({ ollama: [{ text: 'Hello there, this is a short answer.' }] });
      const baseline = await inProcess(fake);
      productFirst.push(product.firstTokenMs);
      ttftOverhead.push(product.firstTokenMs - baseline.firstTokenMs);
    }

    // Model speed.
    const paced = new Map<number, PacedResult[]>();
    for (const { perSecond, tokens, runs } of PACED) {
      const results: PacedResult[] = [];
      for (let run = 0; run < runs; run += 1) results.push(await pacedRun(root, pipeline, fake, perSecond, tokens));
      paced.set(perSecond, results);
      for (const result of results) {
        report.log(
          `paced ${format(perSecond)} tok/s, ${format(tokens)} tokens one per write: added p50 ${format(percentile(result.added, 50), 3)} ms, p99 ${format(percentile(result.added, 99), 3)} ms; ` +
            `write → sink p99 ${format(percentile(result.total, 99), 3)} ms; CPU per 1,000 tokens: sidecar ${format((result.sidecarCpuMs * 1000) / tokens, 1)} ms, host ${format((result.hostCpuMs * 1000) / tokens, 1)} ms` +
            (result.missing ? `; ${result.missing} tokens unmatched` : ''),
        );
      }
    }

    report.gate('tokens through the sidecar vs in-process (worst pair)', least(ratios), '×', '>=', 1.0);
    report.gate('tokens/s through the sidecar, bulk (worst run)', least(productRates), 'tok/s', '>=', 100_000);
    report.info('tokens/s in-process, bulk (median run)', median(baselineRates), 'tok/s');
    report.gate('time-to-first-token overhead, median of per-pair differences', median(ttftOverhead), 'ms', '<', 2, `p90 ${format(percentile(ttftOverhead, 90), 2)} ms; through the sidecar median ${format(median(productFirst), 2)} ms`);
    for (const { perSecond } of PACED) {
      const results = paced.get(perSecond)!;
      const p99s = results.map((result) => percentile(result.added, 99));
      const p50s = results.map((result) => percentile(result.added, 50));
      const cpuShare = results.map((result) => ((result.sidecarCpuMs + result.hostCpuMs) / (result.seconds * 1000)) * 100);
      const perThousand = (pick: (result: PacedResult) => number) => worst(results.map((result) => (pick(result) * 1000) / result.tokens));
      const where = `sidecar ${format(perThousand((r) => r.sidecarCpuMs), 1)} ms + host ${format(perThousand((r) => r.hostCpuMs), 1)} ms CPU per 1,000 tokens`;
      const runs = results.length > 1 ? ` (worst of ${results.length})` : '';
      const complete = results.every((result) => result.missing === 0);
      if (perSecond === GATED_RATE) {
        report.gate(`added latency per token at ${perSecond} tok/s, p99${runs}`, worst(p99s), 'ms', '<', 0.5, `p50 ${format(worst(p50s), 3)} ms`);
        report.gate(`sidecar + host CPU at ${perSecond} tok/s, share of one core${runs}`, worst(cpuShare), '%', '<', 2, where);
        // The floor under that figure: a lone Node process reading the same stream a token per wakeup.
        const floorShare = results.map((result) => (result.directCpuMs / (result.seconds * 1000)) * 100);
        report.info(
          `floor: one Node process reading the stream directly at ${perSecond} tok/s, share of one core (least of ${results.length})`,
          Math.min(...floorShare),
          '%',
          `${format(Math.min(...results.map((result) => (result.directCpuMs * 1000) / result.tokens)), 1)} ms CPU per 1,000 tokens; the product has two processes woken per token`,
        );
      } else {
        report.info(`added latency per token at ${format(perSecond)} tok/s, p99`, worst(p99s), 'ms', `p50 ${format(worst(p50s), 3)} ms`);
        report.info(`sidecar + host CPU at ${format(perSecond)} tok/s, share of one core`, worst(cpuShare), '%', where);
      }
      if (!complete) report.check(`every token matched at ${format(perSecond)} tok/s`, false, 'a token reached one path but not the other');
    }
    report.check('every token delivered on both paths (bulk)', complete);
  } finally {
    await pipeline.stop();
    fake.stop();
  }
  return report;
}
