// What every end-to-end spec file sets up and takes down the same way: the VSIX under test and the
// extension's id, the settings each spec's code-server starts from, and its VS Code — code-server,
// Chromium and the workbench page — started in `before` and ended in `after`, with code-server's
// output kept under test-results/e2e/.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { quietSettings, startCodeServer } from './codeServer.mjs';
import { launchBrowser, repoRoot, resultsDir, Workbench } from './workbench.mjs';

const pkg = JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8'));
export const EXTENSION_ID = `${pkg.publisher}.${pkg.name}`;
// E2E_VSIX tests another build (e.g. a candidate fix) instead of the packaged one.
export const VSIX = process.env.E2E_VSIX ? resolve(process.env.E2E_VSIX) : resolve(repoRoot, 'dist/prototyper.vsix');

/** Fails the spec at once, saying how to build it, when there is no VSIX to test. */
export function requireVsix() {
  if (!existsSync(VSIX)) throw new Error(`${VSIX} is missing: run \`node esbuild.mjs --production && bash scripts/package.sh\` first`);
}

/**
 * What every spec's code-server starts from: nothing else may open, pop up or take focus while the
 * tests type. bench/startup runs with quietSettings alone, so its figures stay comparable with
 * earlier runs.
 */
export const specSettings = Object.freeze({
  ...quietSettings,
  'workbench.enableExperiments': false,
  'window.restoreWindows': 'none',
});

/**
 * The VS Code one spec file drives. start() keeps each part as soon as it runs, so stop() in the
 * spec's `after` ends whatever a start that failed half-way left running.
 */
export class SpecVsCode {
  /** code-server, once started. */
  server;
  /** Chromium, once launched. */
  browser;
  /** The workbench page, once the browser has one. */
  wb;

  /**
   * Starts code-server on `workspace` with its state under `stateDir`/code-server, the VSIX and
   * `extensions` (more VSIX paths) installed and `settings` over specSettings; then a 1280×800 page
   * in Chromium. `open`: 'workbench' loads the workbench, 'chat' also opens the chat view, 'nothing'
   * leaves the page blank for a spec that watches the first load itself. `navigationTimeout` raises
   * the page's deadline for loading the workbench. Returns the Workbench.
   */
  async start({ stateDir, workspace, settings, extensions = [], open = 'workbench', navigationTimeout }) {
    this.server = await startCodeServer({
      stateDir: join(stateDir, 'code-server'),
      vsix: [VSIX, ...extensions],
      workspace,
      settings: { ...specSettings, ...settings },
    });
    this.browser = await launchBrowser();
    const page = await this.browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    if (navigationTimeout) page.setDefaultNavigationTimeout(navigationTimeout);
    this.wb = new Workbench(page, EXTENSION_ID);
    if (open !== 'nothing') await this.wb.open(this.server.url);
    if (open === 'chat') await this.wb.openChat();
    return this.wb;
  }

  /**
   * Closes the browser, stops code-server and writes its output to test-results/e2e/`log`; with
   * `vsCodeLogs`, copies VS Code's own logs (extension host, "Prototyper Sidecar" output) to that
   * folder there too. Then stops `fake` (the spec's fake provider, if any) and removes `stateDir`
   * unless E2E_KEEP_STATE is set. Each part may be missing: a failed `before` still gets here.
   */
  async stop({ log, vsCodeLogs, fake, stateDir }) {
    await this.browser?.close().catch(() => {});
    if (this.server) {
      await this.server.stop();
      mkdirSync(resultsDir, { recursive: true });
      writeFileSync(join(resultsDir, log), this.server.logs());
      if (vsCodeLogs) {
        const logs = join(stateDir, 'code-server/user-data/logs');
        rmSync(join(resultsDir, vsCodeLogs), { recursive: true, force: true });
        if (existsSync(logs)) cpSync(logs, join(resultsDir, vsCodeLogs), { recursive: true });
      }
    }
    await fake?.stop();
    if (stateDir && !process.env.E2E_KEEP_STATE) rmSync(stateDir, { recursive: true, force: true });
  }
}
