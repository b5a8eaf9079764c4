// bench/webview, end to end: tokens from the fake provider (its own process, one token per write on
// a steady schedule) through the release sidecar, the host's real relay and a cross-process hop
// into the built webview bundle in Chromium (the browser tests' harness page), until painted. That
// puts postMessage, the Channel's reorder buffer, the reducer and the render inside the figure.
//
// A token's latency is the provider's write → the first painted frame that shows it, one sample
// per token on one clock (the page's clock is mapped to the machine's monotonic clock by the round
// trip with least delay). Runs at 200 tokens/s give the latency figure; then a ladder of rates finds
// the highest the view sustains: every run at that rate paints every token, shows the whole answer,
// keeps p99 under KEEP_UP_P99_MS (a view that falls behind lags more with every token) and the
// provider really wrote at ≥ 90% of the rate.
import { chromium, type Page } from 'playwright-core';
import { join } from 'node:path';
import { startFakeProviderProcess, type FakeProvider } from '../lib/fakeProvider';
import { profilePage } from '../lib/profile';
import { format, Report } from '../lib/report';
import { percentile, worst } from '../lib/stats';
import { SESSION, startHost, type BenchHost } from './host';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const LATENCY_RATE = 200;
const LATENCY_TOKENS = 1_000;
const LATENCY_RUNS = 3;
const LADDER = [1_000, 2_000, 5_000, 10_000, 20_000, 50_000];
const LADDER_SECONDS = 2;
const LADDER_RUNS = 3;
const KEEP_UP_P99_MS = 100;
const SUSTAINED_TARGET = 5_000;

interface StreamRun {
  rate: number;
  tokens: number;
  /** Per token, provider write → painted, ms. */
  latencies: number[];
  /** Per token, each stage of the way (ms): where the time went. */
  stages: Record<Stage, number[]>;
  painted: number;
  /** Tokens per second the provider actually wrote. */
  writtenRate: number;
  textMatches: boolean;
  textDetail: string;
}

type Stage = 'sidecar' | 'relay' | 'ipc' | 'webview';
const STAGES: Record<Stage, string> = {
  sidecar: 'provider write → host (sidecar, pipe, JSON-RPC)',
  relay: 'host → posted (channel relay)',
  ipc: 'posted → page (serialization, the hop, dispatch)',
  webview: 'page → painted (Channel, reducer, render, paint)',
};

async function openPage(host: BenchHost, browser: Awaited<ReturnType<typeof chromium.launch>>, root: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 460, height: 900 } });
  page.on('pageerror', (error) => console.error('[page error]', error.message));
  await page.addInitScript({ path: join(root, 'bench/webview/bridge.js') });
  await page.goto(host.pageUrl);
  await page.waitForFunction(() => (window as any).harness?.readies.length > 0 && (window as any).harness.calls('list_ollama_models').length > 0);
  // The host's chat store is not under measurement: saves are taken and dropped.
  await page.evaluate(() => {
    (window as any).harness.handlers.save_chat = () => null;
  });
  return page;
}

async function streamRun(page: Page, host: BenchHost, fake: FakeProvider, rate: number, tokens: number): Promise<StreamRun> {
  await fake.reset();
  await fake.script({ ollama: [{ paced: { perSecond: rate, count: tokens } }] });
  host.relay.postEvent(SESSION, { type: 'event', event: { kind: 'newChat' } });
  await page.waitForFunction(() => document.querySelector('.message') === null);
  const clock = await page.evaluate(() => (window as any).benchClockOffset());
  host.takeStamps();
  await page.evaluate(() => (window as any).benchPaint.start());
  await page.locator('.composer-input').click();
  await page.keyboard.type('Stream the answer, please.');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.message.assistant:not(.streaming)', { timeout: (tokens / rate) * 1000 + 60_000 });
  // Two more frames, so the last paint is seen.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 0)))));
  const { painted, received }: { painted: number[]; received: number[] } = await page.evaluate(() => (window as any).benchPaint.stop());
  const hostStamps = host.takeStamps();
  const shown: string[] = await page.evaluate(() => {
    const answers = document.querySelectorAll('.message.assistant .markdown');
    return answers[answers.length - 1]?.textContent?.match(/w\d+/g) ?? [];
  });
  const writes = (await fake.requests()).find((request) => request.path === '/api/chat' && request.writeTimes)?.writeTimes ?? [];
  const latencies: number[] = [];
  const stages: Record<Stage, number[]> = { sidecar: [], relay: [], ipc: [], webview: [] };
  for (let token = 0; token < Math.min(painted.length, writes.length); token += 1) {
    latencies.push(painted[token] + clock.offset - writes[token]);
    const pageReceived = (received[token] ?? NaN) + clock.offset;
    const split: Record<Stage, number> = {
      sidecar: hostStamps.received[token] - writes[token],
      relay: hostStamps.posted[token] - hostStamps.received[token],
      ipc: pageReceived - hostStamps.posted[token],
      webview: painted[token] + clock.offset - pageReceived,
    };
    for (const stage of Object.keys(split) as Stage[]) if (Number.isFinite(split[stage])) stages[stage].push(split[stage]);
  }
  const firstWrong = shown.findIndex((text, index) => text !== `w${index}`);
  const textMatches = shown.length === tokens && firstWrong === -1;
  const textDetail = textMatches ? '' : `shown ${shown.length} of ${tokens} tokens${firstWrong >= 0 ? `, first difference at token ${firstWrong} (${shown[firstWrong]})` : ''}`;
  const writtenRate = writes.length > 1 ? ((writes.length - 1) * 1000) / (writes[writes.length - 1] - writes[0]) : NaN;
  return { rate, tokens, latencies, stages, painted: painted.length, writtenRate, textMatches, textDetail };
}

/** Each stage's p50 and p99 (its own per-token distribution), one line each. */
function breakdown(run: StreamRun): string[] {
  return (Object.keys(STAGES) as Stage[]).map(
    (stage) => `  ${STAGES[stage].padEnd(52)} p50 ${format(percentile(run.stages[stage], 50), 2)} ms, p99 ${format(percentile(run.stages[stage], 99), 2)} ms`,
  );
}

function keptUp(run: StreamRun): boolean {
  return run.painted >= run.tokens && run.textMatches && percentile(run.latencies, 99) < KEEP_UP_P99_MS && run.writtenRate >= 0.9 * run.rate;
}

export async function main(root: string): Promise<Report> {
  const report = new Report('webview');
  const fake = await startFakeProviderProcess(root);
  const host = await startHost(root, fake.url);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await openPage(host, browser, root);
    const describe = (run: StreamRun) =>
      `${format(run.rate)} tok/s × ${format(run.tokens)}: write → painted p50 ${format(percentile(run.latencies, 50), 1)} ms, p99 ${format(percentile(run.latencies, 99), 1)} ms, ` +
      `max ${format(worst(run.latencies), 1)} ms; provider wrote ${format(run.writtenRate)} tok/s; ${run.textMatches ? 'text matches' : `TEXT DIFFERS: ${run.textDetail}`}`;

    // Warm-up: JIT in all three processes, the page's first long answer.
    report.log(`warm-up: ${describe(await streamRun(page, host, fake, 1_000, 1_000))}`);

    const latencyRuns: StreamRun[] = [];
    for (let run = 0; run < LATENCY_RUNS; run += 1) {
      latencyRuns.push(await streamRun(page, host, fake, LATENCY_RATE, LATENCY_TOKENS));
      report.log(`latency run: ${describe(latencyRuns[run])}`);
    }

    let sustained = 0;
    const ladderRuns: StreamRun[] = [];
    let stopReason = `every rate up to ${format(LADDER[LADDER.length - 1])} tok/s was sustained`;
    for (const rate of LADDER) {
      const runs: StreamRun[] = [];
      for (let run = 0; run < LADDER_RUNS; run += 1) {
        // BENCH_PROFILE=1: where the page's main thread spent the first run of each rate.
        const profiling = process.env.BENCH_PROFILE === '1' && run === 0 ? await profilePage(page) : undefined;
        const result = await streamRun(page, host, fake, rate, rate * LADDER_SECONDS);
        if (profiling) report.log(`page profile at ${format(rate)} tok/s:\n${(await profiling()).join('\n')}`);
        runs.push(result);
        report.log(`ladder: ${describe(result)} → ${keptUp(result) ? 'kept up' : 'FELL BEHIND'}`);
        if (!keptUp(result)) {
          for (const line of breakdown(result)) report.log(line);
          break;
        }
      }
      ladderRuns.push(...runs);
      if (!runs.every(keptUp)) {
        const failed = runs.find((run) => !keptUp(run))!;
        stopReason = failed.writtenRate < 0.9 * rate ? `at ${format(rate)} tok/s the provider only wrote ${format(failed.writtenRate)} tok/s` : `fell behind at ${format(rate)} tok/s: ${describe(failed)}`;
        break;
      }
      sustained = rate;
    }

    const p99s = latencyRuns.map((run) => percentile(run.latencies, 99));
    const slowest = latencyRuns[p99s.indexOf(worst(p99s))] ?? latencyRuns[0];
    report.log(`where the time went in the ${LATENCY_RATE} tok/s run with the worst p99 (each stage its own per-token distribution):`);
    for (const line of breakdown(slowest)) report.log(line);
    report.gate(`provider write → token painted at ${LATENCY_RATE} tok/s, p99 (worst of ${LATENCY_RUNS})`, worst(p99s), 'ms', '<', 33,
      `p50 ${format(worst(latencyRuns.map((run) => percentile(run.latencies, 50))), 1)} ms; one sample per token, release sidecar, real host relay, Chromium`);
    report.gate('highest token rate the real webview sustains', sustained, 'tok/s', '>=', SUSTAINED_TARGET,
      `sustained: all ${LADDER_RUNS} runs of ${LADDER_SECONDS} s paint every token, show the whole answer, p99 < ${KEEP_UP_P99_MS} ms; ${stopReason}`);
    const allRuns = [...latencyRuns, ...ladderRuns];
    const wrong = allRuns.filter((run) => !run.textMatches);
    report.check('the painted answer equals the streamed answer (every run)', wrong.length === 0, wrong.map((run) => `${format(run.rate)} tok/s: ${run.textDetail}`).join('; ') || undefined);
    await page.close();
  } finally {
    await browser.close();
    await host.stop();
    fake.stop();
  }
  return report;
}
