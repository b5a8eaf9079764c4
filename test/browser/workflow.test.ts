// "Run Workflow…" as the chat shows it: the host's runWorkflow event starts a turn that invokes
// run_workflow (not the model) with the chat's model settings, each node's progress renders like
// an answer (headings, text, tool cards), Regenerate runs the workflow again, and a graph the
// sidecar refuses shows its reason; the run is filed under its answer's checkpoint, whose changed
// files and Restore show on it. Both states pass an axe-core audit in every theme.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildWebview, calls, launch, openHarness, screenshot, stream } from './support';

let browser: Browser;
beforeAll(async () => {
  await buildWebview();
  browser = await launch();
});
afterAll(async () => browser?.close());

/** Opens the harness with run_workflow answered later (its channel ids collected in order). */
async function open(options: { theme?: string; width?: number } = {}): Promise<Page> {
  const page = await openHarness(browser, options);
  await page.evaluate(() => {
    const h = (window as any).harness;
    h.workflowRuns = [];
    h.handlers.run_workflow = (args: any) => {
      h.workflowRuns.push(args.onEvent.__channel__);
      return h.PENDING;
    };
  });
  return page;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The serious and critical axe-core violations on the page as it is, by rule id. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => (await (window as any).axe.run(document, { resultTypes: ['violations'] })).violations);
  return violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`);
}

async function runWorkflow(page: Page, workflowId: string, input?: string): Promise<number> {
  const before = await page.evaluate(() => (window as any).harness.workflowRuns.length);
  await page.evaluate(([id, text]) => (window as any).harness.event({ kind: 'runWorkflow', workflowId: id, input: text }), [workflowId, input] as const);
  await page.waitForFunction((n) => (window as any).harness.workflowRuns.length > n, before);
  return page.evaluate(() => (window as any).harness.workflowRuns.at(-1));
}

const progress = [
  { event: 'Chunk', data: { text: 'Running workflow **landing**: Brief → Plan → Save\n\n\n### 1. Brief · input\n\n> a bakery\n' } },
  { event: 'Chunk', data: { text: '\n\n### 2. Plan · architect\n\nA hero, a menu and a contact form.' } },
  { event: 'Chunk', data: { text: '\n\n### 3. Save · writefile\n\n' } },
  { event: 'ToolCall', data: { id: 'workflow-2-save', tool: 'write_file', args: { path: 'docs/plan.md', content: 'A hero' } } },
  { event: 'ToolResult', data: { id: 'workflow-2-save', tool: 'write_file', success: true, output: 'Written to: docs/plan.md', path: 'docs/plan.md', content: 'A hero', previousContent: null } },
  { event: 'Chunk', data: { text: '\n\n---\nWorkflow finished: 3 of 3 nodes ran.\n' } },
  { event: 'Done', data: { doneReason: 'stop' } },
];

describe('Run Workflow in the chat', () => {
  it('runs the workflow with the chat model settings and shows each node', async () => {
    const page = await open();
    const channel = await runWorkflow(page, 'landing', 'a bakery');
    const [call] = await calls(page, 'run_workflow');
    expect(call.args).toMatchObject({ workflowId: 'landing', input: 'a bakery', provider: 'ollama', model: 'qwen3:8b', toolPermissionMode: 'ask_every_time', onEvent: { __channel__: channel } });
    expect(call.args.messages).toBeUndefined();
    expect(await calls(page, 'generate_completion_stream')).toHaveLength(0);
    await page.waitForSelector('.message.user');
    expect(await page.textContent('.message.user')).toContain('Run workflow landing with:');

    await stream(page, channel, progress);
    await page.waitForSelector('[data-tool-id="workflow-2-save"].status-succeeded');
    const headings = await page.locator('.message.assistant .markdown h3').allTextContents();
    expect(headings).toEqual(['1. Brief · input', '2. Plan · architect', '3. Save · writefile']);
    expect(await page.textContent('.message.assistant')).toContain('Workflow finished: 3 of 3 nodes ran.');
    await screenshot(page, 'workflow-run-light');

    // Regenerate runs the workflow again rather than asking the model.
    await page.locator('.message.assistant vscode-button[aria-label="Regenerate"], .message.assistant [aria-label="Regenerate"]').first().click();
    await page.waitForFunction(() => (window as any).harness.calls('run_workflow').length === 2);
    expect((await calls(page, 'run_workflow'))[1].args).toMatchObject({ workflowId: 'landing', input: 'a bakery' });
    expect(await calls(page, 'generate_completion_stream')).toHaveLength(0);
  });

  it('files the run\'s changes under its answer, which lists them with Restore checkpoint', async () => {
    const page = await open();
    const channel = await runWorkflow(page, 'landing', 'a bakery');
    const messageId = await page.evaluate(() => document.querySelector('.message.assistant')!.getAttribute('data-message-id'));
    const [call] = await calls(page, 'run_workflow');
    expect(call.args.checkpoint).toMatchObject({ messageId });
    expect(typeof call.args.checkpoint.chatId).toBe('string');
    await page.evaluate((m) => {
      (window as any).harness.checkpoints = [{ messageId: m, createdAt: 1, files: [
        { path: 'docs/plan.md', change: 'created', added: 1, removed: 0, binary: false, state: 'pending', byCommand: false },
      ] }];
    }, messageId);
    await stream(page, channel, progress);
    const list = page.locator('.message.assistant .changed-files');
    await list.waitFor();
    expect((await list.locator('.changed-file').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim())).toEqual(['docs/plan.md +1 −0']);
    await page.locator('.message.assistant button[aria-label^="Restore checkpoint"]').click();
    await page.waitForFunction(() => (window as any).harness.calls('restore_checkpoint').length === 1);
    expect((await calls(page, 'restore_checkpoint'))[0].args).toMatchObject({ messageId, chatId: call.args.checkpoint.chatId });
  });

  it('shows why a workflow cannot run, in dark and at a narrow width', async () => {
    const page = await open({ theme: 'dark', width: 320 });
    const channel = await runWorkflow(page, 'loops');
    expect(await page.textContent('.message.user')).toContain('Run workflow loops');
    const reason = "This workflow has a cycle: 'Plan' → 'Polish' → 'Plan'. Workflows run in graph order, so remove one of these edges. Nothing was run.";
    await stream(page, channel, [{ event: 'Error', data: { message: reason, code: 'invalid_workflow' } }]);
    await page.waitForSelector('.message-error, .error-banner');
    const text = await page.locator('body').innerText();
    expect(text).toContain("'Plan' → 'Polish' → 'Plan'");
    expect(text).toContain('Fix it (its file is in .prototyper/workflows/)');
    await screenshot(page, 'workflow-refused-dark-narrow');
  });

  it('passes an accessibility audit while running and when refused, in every theme', async () => {
    for (const theme of ['light', 'dark', 'hc']) {
      const page = await open({ theme });
      await stream(page, await runWorkflow(page, 'landing', 'a bakery'), progress);
      await page.waitForSelector('[data-tool-id="workflow-2-save"].status-succeeded');
      expect(await seriousViolations(page), `${theme}, finished`).toEqual([]);
      await stream(page, await runWorkflow(page, 'loops'), [{ event: 'Error', data: { message: 'This workflow has a cycle.', code: 'invalid_workflow' } }]);
      await page.waitForSelector('.message-error, .error-banner');
      expect(await seriousViolations(page), `${theme}, refused`).toEqual([]);
      await page.close();
    }
  });
});
