// bench/render: the built chat webview in Chromium (the browser tests' harness page), fed by the
// page itself so only the view's own work is measured (bench/webview measures the whole path).
//
// - Streaming: a 20,000-token markdown answer with 30 code blocks, 25 tokens per host message
//   every 16 ms, and the same with the answer doubled, in interleaved pairs (alternating which goes
//   first). From a Chrome trace of the renderer's main thread: the longest task in wall-clock time
//   (worst of the runs; thread CPU time beside it) and the busy time, whose ratio per pair is the
//   growth when the answer doubles (worst pair gated). After each run the words shown must equal
//   the answer's.
// - History: a 2,000-message chat opened from the history list (click → the last message painted)
//   and scrolled to the top a screen per frame (longest task), worst of three runs.
// BENCH_BASELINE=1 adds a baseline that re-renders the whole answer per chunk, for comparison;
// BENCH_BREAKDOWN=1 prints what each longest task was made of, BENCH_PROFILE=1 a JavaScript profile.
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { profilePage } from '../lib/profile';
import { format, Report } from '../lib/report';
import { worst } from '../lib/stats';
import { makeAnswer, makeHistory, words, type Answer } from './content';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const TOKENS = Number(process.env.BENCH_TOKENS ?? 20_000);
const CODE_BLOCKS = 30;
const PER_BATCH = 25; // tokens per host message (~1,500 tokens/s at one message per frame)
const INTERVAL_MS = 16;
const PAIRS = 3;
const HISTORY = 2_000;
const HISTORY_RUNS = 3;
const FRAME_MS = 16;

interface TraceFigures {
  /** Main-thread tasks merged, wall-clock. */
  busyMs: number;
  longestMs: number;
  /** Thread CPU time: leaves out time the renderer was preempted by other processes. */
  cpuMs: number;
  cpuLongestMs: number;
}

/** Main-thread tasks of the page's renderer from a Chrome trace. */
function mainThreadFigures(traceBuffer: Buffer): TraceFigures {
  type TraceEvent = { ph: string; name: string; pid: number; tid: number; ts: number; dur?: number; tdur?: number; args?: { name?: string } };
  const events: TraceEvent[] = JSON.parse(traceBuffer.toString()).traceEvents ?? [];
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const tasks = events.filter((e) => e.ph === 'X' && (e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask') && mains.has(`${e.pid}:${e.tid}`));
  const spans = tasks.map((e) => [e.ts, e.ts + (e.dur ?? 0)]).sort((a, b) => a[0] - b[0]);
  let busy = 0;
  let longest = 0;
  let current: number[] | null = null;
  for (const [start, end] of spans) {
    longest = Math.max(longest, end - start);
    if (!current || start > current[1]) {
      if (current) busy += current[1] - current[0];
      current = [start, end];
    } else current[1] = Math.max(current[1], end);
  }
  if (current) busy += current[1] - current[0];
  const cpu = tasks.filter((e) => typeof e.tdur === 'number');
  if (BREAKDOWN) {
    // What the longest tasks (by thread CPU time, which preemption does not inflate) were made
    // of: devtools.timeline events inside each, by name, in CPU ms.
    for (const top of [...cpu].sort((a, b) => (b.tdur ?? 0) - (a.tdur ?? 0)).slice(0, 3)) {
      const inside = new Map<string, number>();
      for (const e of events) {
        if (e.ph !== 'X' || !e.tdur || e.pid !== top.pid || e.tid !== top.tid || /RunTask/.test(e.name)) continue;
        if (e.ts >= top.ts && e.ts + (e.dur ?? 0) <= top.ts + (top.dur ?? 0)) inside.set(e.name, (inside.get(e.name) ?? 0) + e.tdur);
      }
      const parts = [...inside].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([name, us]) => `${name} ${(us / 1000).toFixed(1)}`);
      console.log(`  task of ${((top.tdur ?? 0) / 1000).toFixed(1)} ms CPU: ${parts.join(', ')} (ms CPU, nested events overlap)`);
    }
  }
  return {
    busyMs: busy / 1000,
    longestMs: longest / 1000,
    cpuMs: cpu.reduce((sum, e) => sum + (e.tdur ?? 0), 0) / 1000,
    cpuLongestMs: cpu.reduce((max, e) => Math.max(max, e.tdur ?? 0), 0) / 1000,
  };
}

/** BENCH_BREAKDOWN=1: what each run's longest task was made of, from devtools.timeline events. */
const BREAKDOWN = process.env.BENCH_BREAKDOWN === '1';
/** Profiles of the page's JavaScript, with BENCH_PROFILE=1 (printed once per scenario). */
const PROFILE = process.env.BENCH_PROFILE === '1';
const profiled = new Set<string>();

async function traced<T>(browser: Browser, page: Page, work: () => Promise<T>, scenario: string): Promise<TraceFigures & { result: T }> {
  const profiling = PROFILE && !profiled.has(scenario) ? await profilePage(page) : undefined;
  await browser.startTracing(page, { categories: ['toplevel', '__metadata', ...(BREAKDOWN ? ['devtools.timeline'] : [])] });
  const result = await work();
  const figures = mainThreadFigures(await browser.stopTracing());
  if (profiling) {
    profiled.add(scenario);
    console.log(`page profile, ${scenario}:\n${(await profiling()).join('\n')}`);
  }
  return { ...figures, result };
}

async function openWebview(browser: Browser, root: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 460, height: 900 } });
  page.on('pageerror', (error) => console.error('[page error]', error.message));
  await page.goto(`${pathToFileURL(resolve(root, 'test/browser/harness.html')).href}?theme=dark`);
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  await page.waitForFunction(() => (window as any).harness?.readies.length > 0 && (window as any).harness.calls('list_ollama_models').length > 0);
  return page;
}

/** In the page: pushes the tokens as the host would, a batch of Chunk envelopes per interval. */
async function feedWebview({ tokens, perBatch, interval }: { tokens: string[]; perBatch: number; interval: number }) {
  const harness = (window as any).harness;
  const id = harness.lastStream();
  let index = 0;
  for (let i = 0; i < tokens.length; i += perBatch) {
    const batch = tokens.slice(i, i + perBatch);
    window.postMessage({ type: 'channel', messages: batch.map((text) => ({ id, index: index++, message: { event: 'Chunk', data: { text } } })) }, '*');
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
  window.postMessage({ type: 'channel', messages: [{ id, index, message: { event: 'Done', data: {} }, terminal: true }] }, '*');
  const ended = await new Promise<boolean>((resolve) => {
    const deadline = performance.now() + 60_000;
    const check = () => {
      if (document.querySelector('.message.assistant:not(.streaming)')) requestAnimationFrame(() => setTimeout(() => resolve(true), 0));
      else if (performance.now() > deadline) resolve(false);
      else setTimeout(check, 20);
    };
    check();
  });
  if (!ended) throw new Error(`the answer never finished: delivered ${harness.ofType('ack').pop()?.index} of ${index}`);
}

/** In the page: the text of the answer's rendered blocks and code, in order. */
function shownText(): string {
  const answer = document.querySelector('.message.assistant .markdown');
  return [...(answer?.querySelectorAll('.md-block, pre > code') ?? [])].map((element) => element.textContent).join('\n');
}

interface StreamRun extends TraceFigures {
  tokens: number;
  textMatches: boolean;
  textDetail: string;
}

async function streamRun(browser: Browser, root: string, answer: Answer): Promise<StreamRun> {
  const page = await openWebview(browser, root);
  await page.locator('.composer-input').click();
  await page.keyboard.type('Write the long answer');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => (window as any).harness.streams.length > 0);
  const run = await traced(browser, page, () => page.evaluate(feedWebview, { tokens: answer.tokens, perBatch: PER_BATCH, interval: INTERVAL_MS }), 'streaming');
  const shown = words(await page.evaluate(shownText));
  await page.close();
  const firstWrong = shown.findIndex((word, i) => word !== answer.visibleWords[i]);
  const textMatches = shown.length === answer.visibleWords.length && firstWrong === -1;
  const at = firstWrong >= 0 ? firstWrong : Math.min(shown.length, answer.visibleWords.length);
  const textDetail = textMatches ? '' : `${shown.length} of ${answer.visibleWords.length} words shown; from word ${at}: "${shown.slice(at, at + 6).join(' ')}" where the answer has "${answer.visibleWords.slice(at, at + 6).join(' ')}"`;
  return { ...run, tokens: answer.tokens.length, textMatches, textDetail };
}

interface HistoryRun {
  openMs: number;
  open: TraceFigures;
  scroll: TraceFigures & { frames: number; complete: boolean };
}

async function historyRun(browser: Browser, root: string): Promise<HistoryRun> {
  const page = await openWebview(browser, root);
  const chat = makeHistory(HISTORY);
  await page.evaluate((c) => {
    const harness = (window as any).harness;
    harness.handlers.list_chats = () => [{ chatId: c.chatId, title: c.title, createdAt: c.createdAt, updatedAt: c.updatedAt, messageCount: c.messages.length }];
    harness.handlers.load_chat = () => c;
  }, chat);
  await page.locator('[aria-label="Chat history"]').first().click();
  const entry = await page.getByRole('button', { name: /A long chat/ }).first().elementHandle();
  if (!entry) throw new Error('the history list does not show the stored chat');
  const lastId = chat.messages[chat.messages.length - 1].id as string;
  // Click → the frame that paints the last message (found in an animation frame callback, so the
  // task queued from it runs after that frame's paint).
  const open = await traced(browser, page, () =>
    page.evaluate(
      ({ entry, lastId }) =>
        new Promise<number>((resolve) => {
          const started = performance.now();
          (entry as HTMLElement).click();
          const check = () => {
            if (document.querySelector(`[data-message-id="${lastId}"]`)) setTimeout(() => resolve(performance.now() - started), 0);
            else requestAnimationFrame(check);
          };
          requestAnimationFrame(check);
        }),
      { entry, lastId },
    ),
    'history open',
  );
  // Scroll to the very top, a screen per frame, loading older messages as they come into view.
  const scroll = await traced(browser, page, () =>
    page.evaluate(
      () =>
        new Promise<{ frames: number; complete: boolean }>((resolve) => {
          const list = document.querySelector('.message-list') as HTMLElement;
          let frames = 0;
          const step = () => {
            list.scrollTop = Math.max(0, list.scrollTop - 900);
            frames++;
            if (document.querySelector('[data-message-id="m0"]') && list.scrollTop === 0) resolve({ frames, complete: true });
            else if (frames > 5000) resolve({ frames, complete: false });
            else requestAnimationFrame(step);
          };
          step();
        }),
    ),
    'history scroll',
  );
  await page.close();
  return { openMs: open.result, open, scroll: { ...scroll, ...scroll.result } };
}

export async function main(root: string): Promise<Report> {
  const report = new Report('render');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const answer = makeAnswer(TOKENS, CODE_BLOCKS);
    const doubled = makeAnswer(TOKENS * 2, CODE_BLOCKS * 2);
    report.log(`answer: ${format(answer.tokens.length)} tokens, ${format(answer.text.length)} chars, ${CODE_BLOCKS} code blocks; doubled: ${format(doubled.tokens.length)} tokens; ${PER_BATCH} tokens per host message every ${INTERVAL_MS} ms`);
    const describe = (run: StreamRun) =>
      `longest task ${format(run.longestMs, 1)} ms wall (${format(run.cpuLongestMs, 1)} ms CPU), busy ${format(run.busyMs)} ms wall (${format(run.cpuMs)} ms CPU)${run.textMatches ? '' : `; TEXT DIFFERS: ${run.textDetail}`}`;

    const singles: StreamRun[] = [];
    const doubles: StreamRun[] = [];
    for (let pair = 0; pair < PAIRS; pair += 1) {
      const order = pair % 2 === 0 ? [answer, doubled] : [doubled, answer];
      for (const content of order) {
        const run = await streamRun(browser, root, content);
        (content === answer ? singles : doubles).push(run);
        report.log(`${content === answer ? 'answer ×1' : 'answer ×2'} (pair ${pair + 1}): ${describe(run)}`);
      }
    }
    if (process.env.BENCH_BASELINE === '1') report.log(`baseline (whole answer re-rendered per chunk): ${await baselineRun(browser, root, answer)}`);

    const histories: HistoryRun[] = [];
    for (let run = 0; run < HISTORY_RUNS; run += 1) {
      const history = await historyRun(browser, root);
      histories.push(history);
      report.log(
        `history ${format(HISTORY)} messages: open ${format(history.openMs, 1)} ms to the last message painted (longest task ${format(history.open.longestMs, 1)} ms wall, ${format(history.open.cpuLongestMs, 1)} ms CPU); ` +
          `scroll to the top in ${history.scroll.frames} frames, longest task ${format(history.scroll.longestMs, 1)} ms wall (${format(history.scroll.cpuLongestMs, 1)} ms CPU)`,
      );
    }

    const growth = singles.map((single, i) => doubles[i].busyMs / single.busyMs);
    const cpuGrowth = singles.map((single, i) => doubles[i].cpuMs / single.cpuMs);
    report.gate(`streaming render, ${format(Math.round(TOKENS / 1000))}k tokens: longest task, wall (worst of ${PAIRS})`, worst(singles.map((run) => run.longestMs)), 'ms', '<', FRAME_MS,
      `CPU: ${format(worst(singles.map((run) => run.cpuLongestMs)), 1)} ms; the doubled answer's worst: ${format(worst(doubles.map((run) => run.longestMs)), 1)} ms wall, ${format(worst(doubles.map((run) => run.cpuLongestMs)), 1)} ms CPU`);
    report.gate('streaming render: growth of main-thread busy time when the answer doubles (worst pair)', worst(growth), '×', '<=', 2.0,
      `pairs ${growth.map((g) => `${format(g, 2)}×`).join(', ')} wall; CPU ${cpuGrowth.map((g) => `${format(g, 2)}×`).join(', ')}`);
    const wrong = [...singles, ...doubles].filter((run) => !run.textMatches);
    report.check('streaming render: the words shown equal the answer (every run)', wrong.length === 0, wrong.map((run) => run.textDetail).join('; ') || undefined);
    report.gate(`open a ${format(HISTORY)}-message chat: click → last message painted (worst of ${HISTORY_RUNS})`, worst(histories.map((h) => h.openMs)), 'ms', '<', 100,
      `longest task ${format(worst(histories.map((h) => h.open.longestMs)), 1)} ms wall, ${format(worst(histories.map((h) => h.open.cpuLongestMs)), 1)} ms CPU`);
    report.gate(`scroll that chat to the top: longest task, wall (worst of ${HISTORY_RUNS})`, worst(histories.map((h) => h.scroll.longestMs)), 'ms', '<', FRAME_MS,
      `CPU: ${format(worst(histories.map((h) => h.scroll.cpuLongestMs)), 1)} ms`);
    report.check('scroll reached the first message (every run)', histories.every((h) => h.scroll.complete));
    mkdirSync(resolve(root, 'bench/results'), { recursive: true });
    writeFileSync(resolve(root, 'bench/results/render-runs.json'), `${JSON.stringify({ singles, doubles, histories }, null, 2)}\n`);
  } finally {
    await browser.close();
  }
  return report;
}

/** The whole answer re-parsed and re-inserted on every chunk (what most chat views do). */
async function baselineRun(browser: Browser, root: string, answer: Answer): Promise<string> {
  await build({
    absWorkingDir: root, bundle: true, minify: true, platform: 'browser', format: 'iife', target: 'es2022', logLevel: 'warning',
    entryPoints: ['bench/render/baseline.ts'], outfile: 'bench/results/render-baseline.js',
  });
  const page = await browser.newPage({ viewport: { width: 460, height: 900 } });
  await page.goto(pathToFileURL(resolve(root, 'bench/render/baseline.html')).href);
  const run = await traced(browser, page, () =>
    page.evaluate(async ({ tokens, perBatch, interval }) => {
      let text = '';
      for (let i = 0; i < tokens.length; i += perBatch) {
        text += tokens.slice(i, i + perBatch).join('');
        (window as any).baselineRender(text);
        await new Promise((resolve) => setTimeout(resolve, interval));
      }
    }, { tokens: answer.tokens, perBatch: PER_BATCH, interval: INTERVAL_MS }),
    'baseline',
  );
  await page.close();
  return `longest task ${format(run.longestMs, 1)} ms wall (${format(run.cpuLongestMs, 1)} ms CPU), busy ${format(run.busyMs)} ms wall (${format(run.cpuMs)} ms CPU)`;
}
