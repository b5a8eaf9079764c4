// Screenshots of a rich conversation and of the pending cards in light, dark and high-contrast
// themes (test-results/screenshots/), for a person to look at; the test checks they render.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildWebview, launch, openHarness, screenshot, sendMessage, stream } from './support';

let browser: Browser;
beforeAll(async () => {
  await buildWebview();
  browser = await launch();
});
afterAll(async () => browser?.close());

const answer = [
  '## Plan',
  '',
  'I looked at `src/app.ts` and the [docs](https://example.com/docs). Three steps:',
  '',
  '1. Extract the **parser** into its own module',
  '2. Add tests',
  '3. Wire it up in [`src/app.ts`](src/app.ts)',
  '',
  '| File | Change |',
  '|---|---|',
  '| src/parse.ts | new |',
  '| src/app.ts | imports it |',
  '',
  '> Note: nothing is saved until you accept the diff.',
  '',
  'Put this in `src/parse.ts`:',
  '',
  '```ts',
  '// Parses "key=value" pairs.',
  'export function parse(input: string): Record<string, string> {',
  "  return Object.fromEntries(input.split('&').map((pair) => pair.split('=') as [string, string]));",
  '}',
  '```',
  '',
].join('\n');

async function conversation(page: Page): Promise<void> {
  await page.evaluate(() =>
    (window as any).harness.event({ kind: 'attach', attachment: { kind: 'selection', path: 'src/app.ts', startLine: 10, endLine: 24, languageId: 'typescript', content: 'const x = 1;' } }),
  );
  await page.waitForSelector('.composer .chip');
  const id = await sendMessage(page, 'Refactor the query parsing out of app.ts');
  await stream(page, id, [
    { event: 'Chunk', data: { text: '', thinking: 'The parser is inline in app.ts; moving it makes it testable.' } },
    { event: 'Chunk', data: { text: 'Let me look at the file first.' } },
    { event: 'ToolCall', data: { id: 'r1', tool: 'read_file', args: { path: 'src/app.ts' } } },
    { event: 'ToolResult', data: { id: 'r1', tool: 'read_file', success: true, output: 'const x = 1;\n…' } },
    { event: 'ToolCall', data: { id: 'b1', tool: 'bash', args: { command: 'npm test -- --run parse' } } },
    { event: 'ToolResult', data: { id: 'b1', tool: 'bash', success: false, output: 'FAIL src/parse.test.ts\n  ✕ parses pairs (3 ms)\nTests: 1 failed, 4 passed' } },
    { event: 'ToolCall', data: { id: 'w1', tool: 'write_file', args: { path: 'src/parse.ts' } } },
    { event: 'ToolResult', data: { id: 'w1', tool: 'write_file', success: true, output: 'Wrote 4 lines', path: 'src/parse.ts', previousContent: null } },
    { event: 'Chunk', data: { text: answer } },
  ]);
  const messageId = await page.evaluate(() => document.querySelector('.message.assistant')!.getAttribute('data-message-id'));
  await page.evaluate((m) => {
    (window as any).harness.checkpoints = [{ messageId: m, createdAt: 1, files: [
      { path: 'src/parse.ts', change: 'created', added: 4, removed: 0, binary: false, state: 'pending', byCommand: false },
      { path: 'src/app.ts', change: 'modified', added: 2, removed: 9, binary: false, state: 'kept', byCommand: false },
      { path: 'coverage/report.txt', change: 'deleted', added: 0, removed: 12, binary: false, state: 'undone', byCommand: true },
    ] }];
  }, messageId);
  await stream(page, id, [
    { event: 'Done', data: { usage: { promptTokens: 9120, completionTokens: 412, timeToFirstTokenMs: 640, tokensPerSecond: 38.2, totalDurationMs: 11400, truncated: true, contextLength: 8192 } } },
  ], { start: 9 });
  await page.waitForSelector('.usage-warning');
  const id2 = await sendMessage(page, 'Now run the tests');
  await stream(page, id2, [{ event: 'Error', data: { message: 'error sending request for url (http://localhost:11434/api/chat): connection refused', code: 'provider' } }]);
  await page.waitForSelector('.message-error');
}

async function pendingCards(page: Page): Promise<void> {
  const id = await sendMessage(page, 'Set up the project');
  await stream(page, id, [
    { event: 'Chunk', data: { text: 'I need a few answers and one permission.' } },
    { event: 'ToolCall', data: { id: 'p1', tool: 'bash', args: { command: 'npm install --save-dev vitest@4 && npx vitest init' } } },
    {
      event: 'ToolPermission',
      data: {
        id: 7,
        toolCallId: 'p1',
        tool: 'bash',
        args: { command: 'rm -rf node_modules && npm install --save-dev vitest@4 > install.log' },
        reason: 'Installs the test runner the plan needs',
        commandReview: {
          command: 'rm -rf node_modules && npm install --save-dev vitest@4 > install.log',
          cwd: '.',
          notes: [
            { kind: 'deletion', text: 'deletes -rf node_modules (rm)' },
            { kind: 'redirection', text: 'writes to install.log (>)' },
          ],
        },
      },
    },
    { event: 'ToolCall', data: { id: 'p2', tool: 'edit_file', args: { path: 'src/parse.ts' } } },
    {
      event: 'ToolPermission',
      data: {
        id: 10,
        toolCallId: 'p2',
        tool: 'edit_file',
        args: { path: 'src/parse.ts' },
        reason: 'edits src/parse.ts',
        proposal: {
          path: 'src/parse.ts',
          previousContent: 'x',
          content: 'y',
          diff: {
            added: 2,
            removed: 1,
            truncated: false,
            hunks: [
              { oldStart: 1, newStart: 1, lines: [' export function parse(query: string) {', "-  return query.split('&');", "+  if (!query) return [];", "+  return query.split('&').filter(Boolean);", ' }'] },
            ],
          },
        },
      },
    },
    { event: 'AskUser', data: { id: 8, question: 'Which package manager should I use?', questionType: 'choice', choices: ['npm', 'pnpm', 'bun'] } },
    {
      event: 'AskUserForm',
      data: {
        id: 9,
        title: 'Project settings',
        fields: [
          { id: 'name', label: 'Package name', fieldType: 'text', placeholder: 'my-app' },
          { id: 'fw', label: 'Framework', fieldType: 'choice', choices: ['React', 'Preact'] },
          { id: 'extras', label: 'Extras', fieldType: 'multiselect', choices: ['ESLint', 'Prettier'] },
          { id: 'ci', label: 'Add CI?', fieldType: 'confirm', required: false },
        ],
      },
    },
  ]);
  await page.waitForSelector('[data-prompt-id="9"]');
}

describe('screenshots', () => {
  for (const theme of ['light', 'dark', 'hc']) {
    it(`renders the conversation and cards in the ${theme} theme`, async () => {
      const page = await openHarness(browser, { theme, height: 1500 });
      await conversation(page);
      await page.click('[data-tool-id="b1"] .tool-output summary').catch(() => {});
      await page.evaluate(() => document.querySelector('.message-list')!.scrollTo(0, 0));
      await screenshot(page, `conversation-${theme}`);
      await page.locator('vscode-button[aria-label="New chat"]').click();
      await pendingCards(page);
      await screenshot(page, `cards-${theme}`);
      const colors = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(colors).not.toBe('rgba(0, 0, 0, 0)');
    });
  }
});
