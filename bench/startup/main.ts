// bench/startup: how fast the product is there when asked for.
//
// - Sidecar cold start: spawning the release binary → its answer to `initialize`, over raw stdio
//   framing (no client library in the figure), and its resident memory once idle after it. Worst of
//   COLD_RUNS.
// - In a real VS Code (code-server, with the packaged VSIX): the click on the Prototyper activity
//   bar icon → the chat's composer usable (present, enabled, laid out, and a frame painted), worst
//   of VIEW_RUNS fresh windows; and the extension's activation time as it logs it itself.
// - For information, QUIET_VIEW_RUNS more windows after every editor was closed: the same click
//   with no other webview in the window. The gated windows have the getting-started walkthrough
//   open (it opens on install and is restored), whose markdown is itself a webview, and in
//   code-server a second webview's frame waits for the first one's service worker to hand over.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startFakeProviderProcess } from '../lib/fakeProvider';
import { format, Report } from '../lib/report';
import { median, nowMs, residentMb, worst } from '../lib/stats';

const COLD_RUNS = 20;
const IDLE_SETTLE_MS = 500;
const VIEW_RUNS = 3;
const QUIET_VIEW_RUNS = 2;

interface ViewRuns {
  runs: ViewRun[];
  /** Windows with no editor open, so no other webview: for information. */
  quietRuns: ViewRun[];
  activations: { total: number; line: string }[];
}

interface ColdStart {
  initializeMs: number;
  idleRssMb: number;
}

/** Spawns the sidecar, times `initialize`, reads its idle RSS, and lets it go (EOF on stdin). */
async function coldStart(binary: string, workspace: string): Promise<ColdStart> {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: 1, storageDir: join(workspace, '.storage'), workspaceRoot: workspace, capabilities: { workspaceTrusted: true, allowedHosts: [], packageManager: 'npm' } },
  });
  const frame = `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const started = nowMs();
  const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'ignore'] });
  child.stdin.write(frame);
  const { answeredAt, body: answer } = await new Promise<{ answeredAt: number; body: string }>((resolve, reject) => {
    let received = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (data: string) => {
      received += data;
      const header = /Content-Length: (\d+)\r\n\r\n/.exec(received);
      const body = header ? received.slice(header.index + header[0].length) : '';
      if (header && Buffer.byteLength(body) >= Number(header[1])) resolve({ answeredAt: nowMs(), body });
    });
    child.once('exit', (code) => reject(new Error(`the sidecar exited with ${code} before answering initialize`)));
  });
  const commands = (JSON.parse(answer) as { result?: { commands?: string[] } }).result?.commands ?? [];
  if (commands.length === 0) throw new Error(`initialize was not answered with the command list: ${answer.slice(0, 300)}`);
  await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
  const idleRssMb = residentMb(child.pid!);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin.end();
  await exited;
  return { initializeMs: answeredAt - started, idleRssMb };
}

/** Code run in every frame before its scripts: when the workbench was clicked, when the composer became usable. */
function watchScript(): void {
  const win = window as any;
  if (win.__benchWatch) return;
  win.__benchWatch = true;
  // When this frame was created (for the webview: when VS Code made its frame, before its content).
  win.__benchFrameAt = Date.now();
  // On the window: VS Code replaces the webview frame's document after this runs.
  window.addEventListener('pointerdown', () => (win.__benchClickAt = Date.now()), true);
  const usable = () => {
    const composer = document.querySelector('.composer-input') as (HTMLElement & { control?: HTMLElement }) | null;
    const input = composer?.control ?? composer;
    return !!input && !(input as HTMLTextAreaElement).disabled && input.getClientRects().length > 0;
  };
  // Polled by a timer, which outlives VS Code replacing the webview frame's first document (frame
  // callbacks and observers do not); then the next frame callback queues a task that runs after
  // the paint. The poll can start the wait a frame late: the figure errs long, never short.
  const poll = setInterval(() => {
    if (!usable()) return;
    clearInterval(poll);
    requestAnimationFrame(() => setTimeout(() => (win.__benchUsableAt = Date.now()), 0));
  }, 4);
}

interface ViewRun {
  clickToUsableMs: number;
  /** Click → VS Code created the webview's frame (activation, the view provider, VS Code's own work). */
  clickToFrameMs: number;
  restored: boolean;
}

/**
 * Waits for the workbench, our icon in the activity bar, and the window's extension host to have
 * started its eager extensions (its log says so): a click while that host is still starting would
 * measure the host's start, not ours. `windows` is how many hosts have started by then.
 */
async function waitForWorkbench(page: Page, logs: string, windows: number): Promise<void> {
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 120_000 });
  await page.locator('.part.activitybar [aria-label^="Prototyper"]').first().waitFor({ timeout: 60_000 });
  const deadline = Date.now() + 120_000;
  while (countInLogs(logs, 'remoteexthost.log', /Eager extensions activated/g) < windows) {
    if (Date.now() > deadline) throw new Error(`extension host ${windows} did not finish starting within 120 s`);
    await page.waitForTimeout(250);
  }
  // Let the window settle (restored editors, startup-finished extensions) before the click.
  await page.waitForTimeout(2000);
}

/** Matches of `pattern` in every file named `name` under `folder`. */
function countInLogs(folder: string, name: string, pattern: RegExp): number {
  let count = 0;
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name === name) count += readFileSync(path, 'utf8').match(pattern)?.length ?? 0;
    }
  };
  if (existsSync(folder)) walk(folder);
  return count;
}

/** The webview frame that holds the chat, once it exists. */
function chatFrames(page: Page) {
  return page.frames().filter((frame) => frame.url().includes('extensionId=prototyper.'));
}

async function openChatOnce(page: Page): Promise<ViewRun> {
  const restored = chatFrames(page).length > 0;
  await page.evaluate(() => ((window as any).__benchClickAt = 0));
  await page.locator('.part.activitybar [aria-label^="Prototyper"]').first().click();
  const deadline = Date.now() + 60_000;
  for (;;) {
    for (const frame of page.frames()) {
      const { usableAt, frameAt } = await frame
        .evaluate(() => ({ usableAt: (window as any).__benchUsableAt ?? 0, frameAt: (window as any).__benchFrameAt ?? 0 }))
        .catch(() => ({ usableAt: 0, frameAt: 0 }));
      if (usableAt) {
        const clickAt: number = await page.evaluate(() => (window as any).__benchClickAt);
        return { clickToUsableMs: usableAt - clickAt, clickToFrameMs: frameAt - clickAt, restored };
      }
    }
    if (Date.now() > deadline) throw new Error('the chat composer did not become usable within 60 s of the click');
    await page.waitForTimeout(50);
  }
}

/** Code-server with the VSIX; each run is a fresh window whose chat view has not been opened. */
async function chatViewRuns(root: string, report: Report): Promise<ViewRuns> {
  const vsix = join(root, 'dist/prototyper.vsix');
  const built = join(root, 'dist/extension.js');
  if (!existsSync(vsix) || statSync(built).mtimeMs > statSync(vsix).mtimeMs) execFileSync('bash', [join(root, 'scripts/package.sh')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  // The end-to-end suite's own code-server and Chromium, from the tree under test (not bundled).
  const codeServerLib = pathToFileURL(join(root, 'test/e2e/lib/codeServer.mjs')).href;
  const { startCodeServer, quietSettings } = (await import(codeServerLib)) as {
    startCodeServer(options: { stateDir: string; vsix: string; workspace: string; settings: Record<string, unknown> }): Promise<{ url: string; stop(): Promise<void> }>;
    quietSettings: Record<string, unknown>;
  };
  const workbenchLib = pathToFileURL(join(root, 'test/e2e/lib/workbench.mjs')).href;
  const { launchBrowser, Workbench } = (await import(workbenchLib)) as { launchBrowser(): Promise<Browser>; Workbench: WorkbenchClass };
  const fake = await startFakeProviderProcess(root);
  const stateDir = mkdtempSync(join(tmpdir(), 'prototyper-bench-startup-'));
  const workspace = join(stateDir, 'workspace');
  cpSync(join(root, 'test/e2e/sample-workspace'), workspace, { recursive: true });
  const server = await startCodeServer({
    stateDir: join(stateDir, 'code-server'),
    vsix,
    workspace,
    settings: {
      'prototyper.provider': 'ollama',
      'prototyper.ollama.host': fake.url,
      'prototyper.model': 'llama3.2:latest',
      ...quietSettings,
    },
  });
  const browser = await launchBrowser();
  let context: BrowserContext | undefined;
  const runs: ViewRun[] = [];
  const quietRuns: ViewRun[] = [];
  try {
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(watchScript);
    const page = await context.newPage();
    await page.goto(server.url);
    for (let run = 0; run < VIEW_RUNS; run += 1) {
      if (run > 0) {
        // Leave the chat, let the window save that, and start a fresh window (and extension host).
        await page.locator('.part.activitybar [aria-label^="Explorer"]').first().click();
        await page.waitForTimeout(1500);
        await page.reload();
      }
      await waitForWorkbench(page, join(stateDir, 'code-server/user-data/logs'), run + 1);
      const result = await openChatOnce(page);
      runs.push(result);
      report.log(
        `chat view, window ${run + 1}: click → composer usable ${format(result.clickToUsableMs)} ms ` +
          `(webview frame created at ${format(result.clickToFrameMs)} ms, then ${format(result.clickToUsableMs - result.clickToFrameMs)} ms to load and render the view)` +
          (result.restored ? ' (the view was already open: not a first open)' : ''),
      );
    }
    for (let run = 0; run < QUIET_VIEW_RUNS; run += 1) {
      await page.locator('.part.activitybar [aria-label^="Explorer"]').first().click();
      await closeAllEditors(new Workbench(page), page);
      await page.waitForTimeout(1500);
      await page.reload();
      await waitForWorkbench(page, join(stateDir, 'code-server/user-data/logs'), VIEW_RUNS + run + 1);
      const result = await openChatOnce(page);
      quietRuns.push(result);
      report.log(
        `chat view, window ${VIEW_RUNS + run + 1}, no editor open: click → composer usable ${format(result.clickToUsableMs)} ms ` +
          `(webview frame created at ${format(result.clickToFrameMs)} ms)` +
          (result.restored ? ' (the view was already open: not a first open)' : ''),
      );
    }
  } finally {
    await context?.close();
    await browser.close();
    await server.stop();
    fake.stop();
  }
  const activations = activationTimes(join(stateDir, 'code-server/user-data/logs'));
  rmSync(stateDir, { recursive: true, force: true });
  return { runs, quietRuns, activations };
}

/** The e2e suite's driver of a VS Code page, as far as this bench uses it. */
type WorkbenchClass = new (page: Page) => { runCommand(title: string): Promise<void> };

/** Closes every editor (the walkthrough among them) through the command palette, as the e2e specs run commands. */
async function closeAllEditors(workbench: InstanceType<WorkbenchClass>, page: Page): Promise<void> {
  await workbench.runCommand('View: Close All Editors');
  await page.locator('.editor-group-container .tab').first().waitFor({ state: 'detached', timeout: 10_000 });
}

/** "Activated in N ms" from every "Prototyper Sidecar" output log the windows wrote. */
function activationTimes(logs: string): { total: number; line: string }[] {
  const found: { total: number; line: string }[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('Prototyper Sidecar.log')) {
        for (const match of readFileSync(path, 'utf8').matchAll(/Activated in ([\d.]+) ms.*/g)) found.push({ total: Number(match[1]), line: match[0] });
      }
    }
  };
  if (existsSync(logs)) walk(logs);
  return found;
}

export async function main(root: string): Promise<Report> {
  const report = new Report('startup');
  const binary = join(root, 'sidecar/target/release/prototyper-sidecar');
  const workspace = mkdtempSync(join(tmpdir(), 'prototyper-bench-cold-'));
  // One unmeasured start: the binary into the page cache.
  await coldStart(binary, workspace);
  const starts: ColdStart[] = [];
  for (let run = 0; run < COLD_RUNS; run += 1) starts.push(await coldStart(binary, workspace));
  rmSync(workspace, { recursive: true, force: true });
  const initialize = starts.map((start) => start.initializeMs);
  const rss = starts.map((start) => start.idleRssMb);
  report.log(`sidecar cold start → initialize answered, ${COLD_RUNS} runs: median ${format(median(initialize), 2)} ms, worst ${format(worst(initialize), 2)} ms; idle RSS worst ${format(worst(rss), 2)} MB`);

  const { runs, quietRuns, activations } = await chatViewRuns(root, report);
  const firstOpens = runs.filter((run) => !run.restored);
  const quietFirstOpens = quietRuns.filter((run) => !run.restored);

  report.gate(`sidecar cold start → initialize answered (worst of ${COLD_RUNS})`, worst(initialize), 'ms', '<', 10, `median ${format(median(initialize), 2)} ms; spawn from Node included`);
  report.gate(`sidecar idle RSS after initialize (worst of ${COLD_RUNS})`, worst(rss), 'MB', '<', 8);
  for (const activation of activations) report.log(`extension: ${activation.line}`);
  report.info(`extension activation, loading + activate (worst of ${activations.length})`, worst(activations.map((a) => a.total)), 'ms', 'as the extension logs it in its output channel');
  const slowest = firstOpens.find((run) => run.clickToUsableMs === worst(firstOpens.map((r) => r.clickToUsableMs)));
  report.gate(`chat view usable after the click, code-server (worst of ${firstOpens.length} fresh windows)`, worst(firstOpens.map((run) => run.clickToUsableMs)), 'ms', '<', 500,
    `click on the activity bar icon → composer present, enabled and painted${slowest ? `; of which click → webview frame created ${format(slowest.clickToFrameMs)} ms (activation, VS Code)` : ''}`);
  if (quietFirstOpens.length > 0) {
    report.info(`chat view usable after the click, no other webview open (worst of ${quietFirstOpens.length} windows)`, worst(quietFirstOpens.map((run) => run.clickToUsableMs)), 'ms',
      'every editor closed first, so the walkthrough\'s webview is not there to hand its service worker over');
  }
  return report;
}
