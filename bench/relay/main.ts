// bench/relay: 1,000,000 process output lines through run_shell_command with onEvent → sidecar →
// host relay → fake webview sink, beside Node reading the same lines straight from the process's
// pipe (the floor any relay sits on). Prints lines/s for both, and the latency each path adds per
// line (p50/p99) measured on a paced stream, where queueing does not dominate.
// Targets: ≥ 200,000 lines/s end to end; p99 added latency < 1 ms; every line once and in order.
import { spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChannelEnvelope } from '../../src/protocol/webviewMessages';
import { format, nowMs, percentile, startPipeline } from '../lib/pipeline';

const FLOOD_LINES = 1_000_000;
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
  latencies: number[] = [];
  /** Time from the host's connection receiving a line's message to the sink (the relay's share). */
  relayLatencies: number[] = [];
  error: string | undefined;
  lastArrival = 0;
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
    this.lastArrival = arrival;
  }
}

/** The floor: Node spawns the emitter and splits its stdout into lines itself. */
function direct(script: string, args: string[], recordLatency: boolean): Promise<{ seconds: number; checker: LineChecker }> {
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

/** The product's path: run_shell_command with onEvent, relayed to the fake webview. */
async function relayed(
  pipeline: Awaited<ReturnType<typeof startPipeline>>,
  args: string[],
  recordLatency: boolean,
): Promise<{ seconds: number; checker: LineChecker; messages: number }> {
  const checker = new LineChecker(recordLatency);
  let messages = 0;
  let finish: (value: void) => void = () => {};
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
  await pipeline.supervisor.request('run_shell_command', { cwd: '.', command: `node emit.mjs ${args.join(' ')}`, onEvent: id });
  await ended;
  return { seconds: (nowMs() - started) / 1000, checker, messages };
}

export async function main(root: string): Promise<void> {
  const pipeline = await startPipeline(root);
  const script = join(pipeline.workspace, 'emit.mjs');
  copyFileSync(join(root, 'bench/relay/emit.mjs'), script);
  try {
    // Warm both paths (JIT, page cache) in both modes before measuring.
    const pacedArgs = ['paced', String(PACED_LINES), String(PACED_GAP_MS)];
    await direct(script, ['flood', '20000'], false);
    await relayed(pipeline, ['flood', '20000'], false);
    for (let round = 0; round < WARMUP_PACED_ROUNDS; round += 1) {
      await direct(script, pacedArgs, false);
      await relayed(pipeline, pacedArgs, false);
    }

    // Latency first, on a quiet heap; then the flood for throughput.
    const floorPaced: LineChecker[] = [];
    const productPaced: LineChecker[] = [];
    for (let round = 0; round < PACED_ROUNDS; round += 1) {
      floorPaced.push((await direct(script, pacedArgs, true)).checker);
      productPaced.push((await relayed(pipeline, pacedArgs, true)).checker);
    }
    const floor = await direct(script, ['flood', String(FLOOD_LINES)], false);
    const product = await relayed(pipeline, ['flood', String(FLOOD_LINES)], false);

    const runs: [LineChecker, number][] = [
      [floor.checker, FLOOD_LINES],
      [product.checker, FLOOD_LINES],
      ...[...floorPaced, ...productPaced].map((checker): [LineChecker, number] => [checker, PACED_LINES]),
    ];
    const problems = runs
      .map(([checker, expected]) => {
        if (checker.error) return checker.error;
        if (checker.expected !== expected) return `${checker.expected} of ${expected} lines arrived`;
        return undefined;
      })
      .filter(Boolean);
    const floorLatencies = floorPaced.flatMap((checker) => checker.latencies);
    const productLatencies = productPaced.flatMap((checker) => checker.latencies);
    const relayLatencies = productPaced.flatMap((checker) => checker.relayLatencies);

    const floorRate = FLOOD_LINES / floor.seconds;
    const productRate = FLOOD_LINES / product.seconds;
    const floorP50 = percentile(floorLatencies, 50);
    const floorP99 = percentile(floorLatencies, 99);
    const productP50 = percentile(productLatencies, 50);
    const productP99 = percentile(productLatencies, 99);
    console.log(`lines: ${format(FLOOD_LINES)} (flood); ${PACED_ROUNDS} × ${format(PACED_LINES)} paced at one per ${PACED_GAP_MS} ms, paths interleaved, after ${WARMUP_PACED_ROUNDS} unmeasured paced rounds each`);
    console.log(`node reading the pipe directly: ${format(floorRate)} lines/s`);
    console.log(`sidecar → host relay → webview sink: ${format(productRate)} lines/s (${format((productRate / floorRate) * 100)}% of the floor, ${format(product.messages)} channel messages)`);
    console.log(`latency per line, direct pipe: p50 ${format(floorP50, 3)} ms, p99 ${format(floorP99, 3)} ms`);
    console.log(`latency per line, end to end:  p50 ${format(productP50, 3)} ms, p99 ${format(productP99, 3)} ms`);
    console.log(`added latency: p50 ${format(productP50 - floorP50, 3)} ms, p99 ${format(productP99 - floorP99, 3)} ms`);
    console.log(`of which the host relay (connection → sink): p50 ${format(percentile(relayLatencies, 50), 3)} ms, p99 ${format(percentile(relayLatencies, 99), 3)} ms`);
    console.log(`delivery: ${problems.length === 0 ? 'every line once and in order' : problems.join('; ')}`);
    console.log(`targets: ≥ 200,000 lines/s ${productRate >= 200_000 ? 'met' : 'NOT met'}; p99 added < 1 ms ${productP99 - floorP99 < 1 ? 'met' : 'NOT met'}`);
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    await pipeline.stop();
  }
}
