// An accessibility audit with axe-core of every state a user meets (empty, a conversation with
// tools, code, a failure, pending cards, a proposed file change, a reviewed command, an answer's
// changed files, the model and mode pickers, options, history, pulling a
// model, no provider) in light, dark and high-contrast themes: no serious or critical violation.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildWebview, launch, openHarness, sendMessage, stream } from './support';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser: Browser;
beforeAll(async () => {
  await buildWebview();
  browser = await launch();
});
afterAll(async () => browser?.close());

interface Finding {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/** Runs axe on the page as it is; returns the serious and critical violations, described. */
async function audit(page: Page): Promise<Finding[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n: any) => `${n.target.join(' ')} — ${n.failureSummary}`) }));
  });
  return (violations as Finding[]).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

async function conversationWithCards(page: Page): Promise<void> {
  const id = await sendMessage(page, 'Refactor the parser');
  await stream(page, id, [
    { event: 'Chunk', data: { text: '', thinking: 'Looking at the parser.' } },
    { event: 'Chunk', data: { text: 'Here is the plan, with `code` and a [link](https://example.com).\n\n```ts\nexport const a = 1;\n```\n' } },
    { event: 'ToolCall', data: { id: 'r1', tool: 'read_file', args: { path: 'src/a.ts' } } },
    { event: 'ToolResult', data: { id: 'r1', tool: 'read_file', success: true, output: 'export const a = 1;' } },
    { event: 'Done', data: { usage: { promptTokens: 7000, completionTokens: 120, timeToFirstTokenMs: 300, tokensPerSecond: 30, totalDurationMs: 4000, truncated: true, contextLength: 8192 } } },
  ]);
  await page.waitForSelector('.usage-warning');
  const id2 = await sendMessage(page, 'Go on');
  await stream(page, id2, [
    { event: 'ToolCall', data: { id: 'b1', tool: 'bash', args: { command: 'npm test' } } },
    { event: 'ToolPermission', data: { id: 7, toolCallId: 'b1', tool: 'bash', args: { command: 'npm test' }, reason: 'runs the tests' } },
    { event: 'AskUser', data: { id: 8, question: 'Which runner?', questionType: 'choice', choices: ['vitest', 'jest'] } },
    { event: 'AskUserForm', data: { id: 9, title: 'Details', fields: [{ id: 'n', label: 'Name', fieldType: 'text' }, { id: 'c', label: 'CI?', fieldType: 'confirm' }, { id: 'm', label: 'Extras', fieldType: 'multiselect', choices: ['a', 'b'] }] } },
  ]);
  await page.waitForSelector('[data-prompt-id="9"]');
}

/** A file-change proposal, a reviewed bash command, then an answer that lists its changed files. */
async function proposalsAndChanges(page: Page): Promise<void> {
  const id = await sendMessage(page, 'Edit it');
  const args = { path: 'src/a.ts', old_string: 'two', new_string: 'TWO' };
  const proposal = { path: 'src/a.ts', previousContent: 'one\ntwo\nthree\n', content: 'one\nTWO\nthree\n', previousBinary: false, diff: { added: 1, removed: 1, truncated: false, hunks: [{ oldStart: 1, newStart: 1, lines: [' one', '-two', '+TWO', ' three'] }] } };
  const review = { command: 'rm -rf dist > log.txt', cwd: '.', notes: [{ kind: 'deletion', text: 'deletes -rf dist (rm)' }, { kind: 'redirection', text: 'writes to log.txt (>)' }] };
  await stream(page, id, [
    { event: 'ToolCall', data: { id: 'e1', tool: 'edit_file', args } },
    { event: 'ToolPermission', data: { id: 21, toolCallId: 'e1', tool: 'edit_file', args, proposal } },
    { event: 'ToolCall', data: { id: 'b2', tool: 'bash', args: { command: review.command } } },
    { event: 'ToolPermission', data: { id: 22, toolCallId: 'b2', tool: 'bash', args: { command: review.command }, commandReview: review } },
  ]);
  await page.waitForSelector('[data-prompt-id="22"] .command-note');
  await page.evaluate((m) => {
    (window as any).harness.checkpoints = [{ messageId: m, createdAt: 1, files: [
      { path: 'src/a.ts', change: 'modified', added: 3, removed: 1, binary: false, state: 'pending', byCommand: false },
      { path: 'dist/out.bin', change: 'created', added: 0, removed: 0, binary: true, state: 'pending', byCommand: true },
    ] }];
  }, await page.evaluate(() => [...document.querySelectorAll('.message.assistant')].pop()?.getAttribute('data-message-id')));
  await stream(page, id, [{ event: 'Done', data: {} }], { start: 4 });
  await page.waitForSelector('.changed-files .changed-file');
}

describe('accessibility (axe-core)', () => {
  for (const theme of ['light', 'dark', 'hc']) {
    it(`has no serious violations in the ${theme} theme, in any state`, async () => {
      const page = await openHarness(browser, { theme, width: 360 });
      await page.waitForSelector('.welcome-ready');
      const found: Record<string, Finding[]> = {};
      found.empty = await audit(page);

      await conversationWithCards(page);
      found.conversation = await audit(page);

      await page.locator('.composer .model-picker').click();
      await page.waitForSelector('.model-popover [role="option"]');
      found.models = await audit(page);
      await page.keyboard.press('Escape');

      await page.locator('.composer .mode-picker').click();
      await page.waitForSelector('.mode-popover [role="option"]');
      found.modes = await audit(page);
      // A mode whose short label differs from its full name (the button's name must contain what it shows).
      await page.locator('.mode-popover [role="option"]', { hasText: 'Auto-accept reads' }).click();
      await page.waitForSelector('.mode-picker[data-mode="auto_accept_read_only"]');
      found.modeChosen = await audit(page);

      await page.locator('.options-button').click();
      await page.waitForSelector('.options-popover');
      found.options = await audit(page);
      await page.keyboard.press('Escape');

      await page.locator('vscode-button[aria-label="New chat"]').click();
      await proposalsAndChanges(page);
      found.proposals = await audit(page);
      await page.locator('vscode-button[aria-label="New chat"]').click();
      await page.locator('vscode-button[aria-label="Chat history"]').click();
      await page.waitForSelector('.history-list li');
      found.history = await audit(page);
      await page.locator('vscode-button[aria-label="Close history"]').click();

      await page.evaluate(() => {
        (window as any).harness.models = [];
      });
      await page.locator('.composer .model-picker').click();
      await page.locator('.model-popover button[aria-label="Refresh models"]').click();
      await page.keyboard.press('Escape');
      await page.waitForSelector('.welcome-noModels .pull-panel');
      found.noModels = await audit(page);

      await page.evaluate(() => {
        (window as any).harness.handlers.list_ollama_models = () => {
          throw { code: -32016, message: 'Ollama is not running at http://localhost:11434 (Connection refused) — start it with `ollama serve` or change prototyper.ollama.host.', data: { kind: 'provider_unreachable' } };
        };
      });
      await page.locator('.composer .model-picker').click();
      await page.locator('.model-popover button[aria-label="Refresh models"]').click();
      await page.keyboard.press('Escape');
      await page.waitForSelector('.welcome-unreachable');
      found.unreachable = await audit(page);

      const problems = Object.entries(found).filter(([, list]) => list.length > 0);
      expect(problems, JSON.stringify(problems, null, 2)).toEqual([]);
    });
  }
});
