// bench/relay, host-only: process output lines through run_shell_command with onEvent → sidecar →
// host relay → a webview sink that serializes each batch and acks at once, beside Node reading the
// same lines straight from the process's pipe (the floor any relay sits on). The real webview is
// measured by bench/webview.
//
// Throughput: 1,000,000 lines per run, the two paths interleaved in pairs (alternating which goes
// first); each pair gives one ratio and the worst pair is gated. Latency: lines paced one per write,
// each stamped by the emitter; a line's latency is its write → the sink, one sample per line, and
// the worst round's p99 is gated. The direct pipe's own latency is printed beside it for context.
import { spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChannelEnvelope } from '../../src/protocol/webviewMessages';
import { startPipeline, type Pipeline } from '../lib/pipeline';
import { format, Report } from '../lib/report';
import { least, median, nowMs, percentile, processCpuMs, worst } from '../lib/stats';

const FLOOD_LINES = 1_000_000;
const FLOOD_PAIRS = 3;
const PACED_LINES = 2_000;
/** Paced rounds, the two paths interleaved so machine noise falls on both alike. */
const PACED_ROUNDS = 3;
const PACED_GAP_MS = 0.5;
/**
 * Unmeasured paced rounds per path first. V8 keeps optimizing (and deoptimizing) the
 * one-message-per-line path for several thousand messages; its compile jobs, each a few ms on a
 * worker thread, preempt the main thread on 2 cores, so measuring earlier measures the JIT.
 */
const WARMUP_PACED_ROUNDS = 3;

/** Checks sequence numbers arrive once and in order; records per-line latency. */
class LineChecker {
  expected = 0;
  /** Emitter write → arrival, one sample per line. */
  latencies: number[] = [];
  /** The host's connection receiving a line's message → the sink (the relay's own share). */
  relayLatencies: number[] = [];
  error: string | undefined;
  constructor(private readonly recordLatency: boolean) {}
  line(text: string, arrival: number, receivedAt = NaN): void {
    const space = text.indexOf(' ');
    const sequence = Number(text.slice(0, space));
    if (sequence !== this.expected && this.error === undefined) {
      this.error = `expected line ${this.expected}, got ${sequence}`;
    }
    this.expected = sequence + 1;
    if (this.recordLatency) {
      this.latencies.push(arrival - Number(text.slice(space + 1)));
      if (!Number.isNaN(receivedAt)) this.relayLatencies.push(arrival - receivedAt);
    }
  }
  problem(expected: number): string | undefined {
    if (this.error) return this.error;
    if (this.expected !== expected) return `${this.expected} of ${expected} lines arrived`;
    return undefined;
  }
}

interface Run {
  seconds: number;
  checker: LineChecker;
}

/** The floor: Node spawns the emitter and splits its stdout into lines itself. */
function direct(script: string, args: string[], recordLatency: boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const checker = new LineChecker(recordLatency);
    const started = nowMs();
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let partial = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const arrival = nowMs();
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) checker.line(line, arrival);
    });
    child.on('error', reject);
    child.on('close', () => resolve({ seconds: (nowMs() - started) / 1000, checker }));
  });
}

/** The product's path: run_shell_command with onEvent, relayed to the webview sink. */
async function relayed(pipeline: Pipeline, args: string[], recordLatency: boolean): Promise<Run & { messages: number; hostCpuMs: number; sidecarCpuMs: number }> {
  const checker = new LineChecker(recordLatency);
  let messages = 0;
  let finish: () => void = () => {};
  const ended = new Promise<void>((resolve) => (finish = resolve));
  const id = pipeline.openChannel((envelope: ChannelEnvelope, receivedAt: number) => {
    messages += 1;
    const arrival = nowMs();
    const message = envelope.message as { event: string; data: { lines?: string[]; message?: string } };
    if (message.event === 'Output') for (const line of message.data.lines ?? []) checker.line(line, arrival, receivedAt);
    if (message.event === 'Error') checker.error ??= message.data.message;
    if (envelope.terminal) finish();
  });
  const started = nowMs();
  const hostBefore = process.cpuUsage();
  const sidecarBefore = processCpuMs(pipeline.sidecarPid);
  await pipeline.supervisor.request('run_shell_command', { cwd: '.', command: `node emit.mjs ${args.join(' ')}`, onEvent: id });
  await ended;
  const host = process.cpuUsage(hostBefore);
  return {
    seconds: (nowMs() - started) / 1000,
    checker,
    messages,
    hostCpuMs: (host.user + host.system) / 1000,
    sidecarCpuMs: processCpuMs(pipeline.sidecarPid) - sidecarBefore,
  };
}

export async function main(root: string): Promise<Report> {
  const report = new Report('relay');
  const pipeline = await startPipeline(root);
  const script = join(pipeline.workspace, 'emit.mjs');
  copyFileSync(join(root, 'bench/relay/emit.mjs'), script);
  try {
    const pacedArgs = ['paced', String(PACED_LINES), String(PACED_GAP_MS)];
    const floodArgs = ['flood', String(FLOOD_LINES)];
    // Warm both paths (JIT, page cache) in both modes before measuring.
    await direct(script, ['flood', '20000'], false);
    await relayed(pipeline, ['flood', '20000'], false);
    for (let round = 0; round < WARMUP_PACED_ROUNDS; round += 1) {
      await direct(script, pacedArgs, false);
      await relayed(pipeline, pacedArgs, false);
    }

    // Latency first, on a quiet heap; then the floods for throughput.
    const floorPaced: LineChecker[] = [];
    const productPaced: LineChecker[] = [];
    for (let round = 0; round < PACED_ROUNDS; round += 1) {
      floorPaced.push((await direct(script, pacedArgs, true)).checker);
      productPaced.push((await relayed(pipeline, pacedArgs, true)).checker);
    }
    const floorRates: number[] = [];
    const productRates: number[] = [];
    const ratios: number[] = [];
    let productMessages = 0;
    const cpuSplit: string[] = [];
    const problems: string[] = [];
    for (let pair = 0; pair < FLOOD_PAIRS; pair += 1) {
      // Alternate which path goes first, so a drift in machine load does not favour one.
      let floor: Run;
      let product: Awaited<ReturnType<typeof relayed>>;
      if (pair % 2 === 0) {
        floor = await direct(script, floodArgs, false);
        product = await relayed(pipeline, floodArgs, false);
      } else {
        product = await relayed(pipeline, floodArgs, false);
        floor = await direct(script, floodArgs, false);
      }
      for (const run of [floor, product]) {
        const problem = run.checker.problem(FLOOD_LINES);
        if (problem) problems.push(problem);
      }
      floorRates.push(FLOOD_LINES / floor.seconds);
      productRates.push(FLOOD_LINES / product.seconds);
      ratios.push(FLOOD_LINES / product.seconds / (FLOOD_LINES / floor.seconds));
      productMessages = product.messages;
      cpuSplit.push(`${format(product.seconds * 1000)} ms wall: host ${format(product.hostCpuMs)} ms CPU, sidecar ${format(product.sidecarCpuMs)} ms CPU`);
    }
    for (const checker of [...floorPaced, ...productPaced]) {
      const problem = checker.problem(PACED_LINES);
      if (problem) problems.push(problem);
    }

    const roundP99 = productPaced.map((checker) => percentile(checker.latencies, 99));
    const roundP50 = productPaced.map((checker) => percentile(checker.latencies, 50));
    const floorP99 = floorPaced.map((checker) => percentile(checker.latencies, 99));
    const relayP99 = productPaced.map((checker) => percentile(checker.relayLatencies, 99));
    const list = (values: number[], digits: number, unit = '') => values.map((value) => `${format(value, digits)}${unit}`).join(', ');

    report.log(`flood: ${format(FLOOD_LINES)} lines per run, ${FLOOD_PAIRS} pairs (direct pipe, relay) alternating order`);
    report.log(`  direct pipe lines/s: ${list(floorRates, 0)}`);
    report.log(`  relay lines/s:       ${list(productRates, 0)} (${format(productMessages)} channel messages in the last run)`);
    report.log(`  where the relay's time went, by run: ${cpuSplit.join('; ')} (the emitter, a third process, shares the 2 cores)`);
    report.log(`paced: ${PACED_ROUNDS} rounds × ${format(PACED_LINES)} lines at one per ${PACED_GAP_MS} ms, paths interleaved, after ${WARMUP_PACED_ROUNDS} unmeasured rounds each`);
    report.log(`  end to end p99 by round: ${list(roundP99, 3, ' ms')}; direct pipe p99 by round: ${list(floorP99, 3, ' ms')}`);

    report.gate('relay: sidecar → host → webview sink, share of the direct-pipe floor (worst pair)', least(ratios) * 100, '%', '>=', 80,
      `pair ratios ${list(ratios.map((r) => r * 100), 0, '%')}`);
    report.gate('relay: sidecar → host → webview sink, lines/s (worst run)', least(productRates), 'lines/s', '>=', 200_000);
    report.info('direct pipe floor, lines/s (median run)', median(floorRates), 'lines/s');
    report.gate('relay: end to end, paced, p99 per line (worst round)', worst(roundP99), 'ms', '<', 1,
      'emitter write → webview sink; one sample per line');
    report.info('relay: end to end, paced, p50 per line (worst round)', worst(roundP50), 'ms');
    report.info('direct pipe, paced, p99 per line (worst round)', worst(floorP99), 'ms', 'the floor under the relay, for context');
    report.info('host relay share (connection → sink), p99 (worst round)', worst(relayP99), 'ms');
    report.check('relay: every line once and in order', problems.length === 0, problems.join('; ') || undefined);
  } finally {
    await pipeline.stop();
  }
  return report;
}
