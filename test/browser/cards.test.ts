// Every card and every answer path, through the built webview: tool cards, permission cards (by mouse
// and by keyboard only), ask-user text/choice/confirm, forms with required fields, errors, stop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildWebview, calls, launch, openHarness, sendMessage, stream } from './support';

let browser: Browser;
beforeAll(async () => {
  await buildWebview();
  browser = await launch();
});
afterAll(async () => browser?.close());

async function fresh(): Promise<{ page: Page; id: number }> {
  const page = await openHarness(browser);
  const id = await sendMessage(page, 'Do the thing');
  return { page, id };
}

const waitCalls = (page: Page, command: string, n = 1) => page.waitForFunction(([c, k]) => (window as any).harness.calls(c).length >= k, [command, n] as const);

describe('tool cards', () => {
  it('show running, succeeded and failed states, bash commands with output, and diff links for writes', async () => {
    const { page, id } = await fresh();
    await stream(page, id, [
      { event: 'ToolCall', data: { id: 'c1', tool: 'bash', args: { command: 'npm test -- --run' } } },
      { event: 'ToolCall', data: { id: 'c2', tool: 'write_file', args: { path: 'src/new.ts', content: 'x' } } },
      { event: 'ToolCall', data: { id: 'c3', tool: 'read_file', args: { path: 'missing.ts' } } },
    ]);
    await page.waitForSelector('[data-tool-id="c3"]');
    expect(await page.locator('.tool-card.status-running').count()).toBe(3);
    expect(await page.textContent('[data-tool-id="c1"] .tool-command')).toContain('$ npm test -- --run');
    await stream(page, id, [
      { event: 'ToolResult', data: { id: 'c1', tool: 'bash', success: true, output: 'Tests 3 passed\nok' } },
      { event: 'ToolResult', data: { id: 'c2', tool: 'write_file', success: true, output: 'wrote 1 line', path: 'src/new.ts', content: 'x', previousContent: 'old text' } },
      { event: 'ToolResult', data: { id: 'c3', tool: 'read_file', success: false, output: 'not found: missing.ts' } },
      { event: 'Done', data: {} },
    ], { start: 3 });
    await page.waitForSelector('[data-tool-id="c3"].status-failed');
    expect(await page.locator('[data-tool-id="c1"].status-succeeded').count()).toBe(1);
    await page.click('[data-tool-id="c1"] .tool-output summary');
    expect(await page.textContent('[data-tool-id="c1"] .tool-output pre')).toContain('Tests 3 passed');
    expect(await page.isVisible('[data-tool-id="c3"] .tool-output pre')).toBe(true);
    await page.click('[data-tool-id="c2"] .tool-path');
    await waitCalls(page, 'open_diff');
    expect((await calls(page, 'open_diff'))[0].args).toEqual({ path: 'src/new.ts', before: 'old text' });
    expect(await page.locator('.generating').count()).toBe(0);
  });
});

describe('permission cards', () => {
  const permission = (n: number, tool = 'bash', args: Record<string, unknown> = { command: 'rm -rf build && npm run build' }) => [
    { event: 'ToolCall', data: { id: `t${n}`, tool, args } },
    { event: 'ToolPermission', data: { id: 40 + n, toolCallId: `t${n}`, tool, args, reason: 'rebuilds the project' } },
  ];

  it('shows the full command and reason; Accept, Reject and Always Allow resolve it', async () => {
    const { page, id } = await fresh();
    await stream(page, id, [...permission(1), ...permission(2, 'write_file', { path: 'src/a.ts', content: 'x' }), ...permission(3)]);
    await page.waitForSelector('[data-prompt-id="43"]');
    const card = page.locator('[data-prompt-id="41"]');
    expect(await card.locator('.permission-subject pre').textContent()).toBe('rm -rf build && npm run build');
    expect(await card.textContent()).toContain('rebuilds the project');
    expect(await page.locator('[data-prompt-id="42"] .permission-subject pre').textContent()).toBe('src/a.ts');
    await card.locator('vscode-button', { hasText: 'Accept' }).click();
    await page.locator('[data-prompt-id="42"] vscode-button', { hasText: 'Reject' }).click();
    await page.locator('[data-prompt-id="43"] vscode-button', { hasText: 'Always Allow' }).click();
    await waitCalls(page, 'resolve_tool_permission', 3);
    expect((await calls(page, 'resolve_tool_permission')).map((c) => c.args)).toEqual([
      { permissionId: 41, decision: 'accepted' },
      { permissionId: 42, decision: 'rejected' },
      { permissionId: 43, decision: 'always_allowed' },
    ]);
    await waitCalls(page, 'allow_tool');
    expect((await calls(page, 'allow_tool'))[0].args).toEqual({ tool: 'bash' });
    expect(await card.locator('.prompt-outcome').textContent()).toBe('Accepted');
  });

  it('is usable with the keyboard only: focus lands on the card, Tab reaches the buttons, Enter and Space answer', async () => {
    const { page, id } = await fresh();
    await stream(page, id, permission(1));
    await page.waitForFunction(() => document.activeElement?.matches('[data-prompt-id="41"]'));
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toMatch(/^Accept/);
    await page.keyboard.press('Enter');
    await waitCalls(page, 'resolve_tool_permission');
    await stream(page, id, [{ event: 'ToolResult', data: { id: 't1', tool: 'bash', success: true, output: '' } }, ...permission(2)], { start: 2 });
    await page.waitForFunction(() => document.activeElement?.matches('[data-prompt-id="42"]'));
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toMatch(/^Reject/);
    await page.keyboard.press('Space');
    await waitCalls(page, 'resolve_tool_permission', 2);
    expect((await calls(page, 'resolve_tool_permission')).map((c) => c.args.decision)).toEqual(['accepted', 'rejected']);
  });

  it('expires a pending card when the turn ends', async () => {
    const { page, id } = await fresh();
    await stream(page, id, [...permission(1), { event: 'Done', data: { doneReason: 'cancelled' } }]);
    await page.waitForSelector('[data-prompt-id="41"].expired');
    expect(await page.locator('[data-prompt-id="41"] vscode-button').count()).toBe(0);
    expect(await page.locator('[data-tool-id="t1"]').getAttribute('class')).toContain('status-interrupted');
  });
});

describe('proposals and changed files', () => {
  const proposal = {
    path: 'src/a.ts',
    previousContent: 'one\ntwo\nthree\n',
    content: 'one\nTWO\nthree\n',
    diff: { added: 1, removed: 1, truncated: false, hunks: [{ oldStart: 1, newStart: 1, lines: [' one', '-two', '+TWO', ' three'] }] },
  };
  const args = { path: 'src/a.ts', old_string: 'two', new_string: 'TWO' };

  it('shows the diff before Accept, opens it in the diff editor, and accepts the edited version', async () => {
    const { page, id } = await fresh();
    await stream(page, id, [
      { event: 'ToolCall', data: { id: 'e1', tool: 'edit_file', args } },
      { event: 'ToolPermission', data: { id: 71, toolCallId: 'e1', tool: 'edit_file', args, reason: 'edits src/a.ts', proposal } },
    ]);
    const card = page.locator('[data-prompt-id="71"]');
    await card.waitFor();
    expect(await card.locator('.proposal-summary').textContent()).toBe('+1 −1 lines');
    expect(await card.locator('.diff-line.del .diff-text').allTextContents()).toEqual(['two']);
    expect(await card.locator('.diff-line.add .diff-text').allTextContents()).toEqual(['TWO']);
    await card.locator('.proposal-open').click();
    await waitCalls(page, 'open_proposal');
    expect((await calls(page, 'open_proposal'))[0].args).toEqual({ permissionId: '71', path: 'src/a.ts', content: 'one\nTWO\nthree\n' });
    await page.evaluate(() => ((window as any).harness.proposalEdit = { edited: true, content: 'one\nTwo!\nthree\n' }));
    await card.locator('vscode-button', { hasText: 'Accept' }).click();
    await waitCalls(page, 'resolve_tool_permission');
    expect((await calls(page, 'resolve_tool_permission'))[0].args).toEqual({ permissionId: 71, decision: 'accepted', content: 'one\nTwo!\nthree\n' });
    expect(await card.locator('.prompt-outcome').textContent()).toBe('Accepted (with your edits)');
  });

  it('accepts the edited version with Ctrl+Enter too, and names a binary file it would replace', async () => {
    const { page, id } = await fresh();
    const binary = { path: 'img/logo.png', previousContent: null, previousBinary: true, content: 'now text\n' };
    await stream(page, id, [
      { event: 'ToolCall', data: { id: 'e2', tool: 'edit_file', args } },
      { event: 'ToolPermission', data: { id: 74, toolCallId: 'e2', tool: 'edit_file', args, proposal } },
    ]);
    const card = page.locator('[data-prompt-id="74"]');
    await card.waitFor();
    await page.evaluate(() => ((window as any).harness.proposalEdit = { edited: true, content: 'one\nmine\nthree\n' }));
    await page.keyboard.press('Control+Enter');
    await waitCalls(page, 'resolve_tool_permission');
    expect((await calls(page, 'resolve_tool_permission'))[0].args).toEqual({ permissionId: 74, decision: 'accepted', content: 'one\nmine\nthree\n' });
    await page.waitForFunction(() => document.querySelector('[data-prompt-id="74"] .prompt-outcome')?.textContent === 'Accepted (with your edits)');
    await stream(page, id, [{ event: 'ToolPermission', data: { id: 75, toolCallId: 'w2', tool: 'write_file', args: { path: 'img/logo.png' }, proposal: binary } }], { start: 2 });
    await page.locator('[data-prompt-id="75"]').waitFor();
    expect(await page.locator('[data-prompt-id="75"] .proposal-summary').textContent()).toContain('replaces a binary file');
    expect(await page.locator('[data-prompt-id="75"] .diff-line').count()).toBe(0);
  });

  it('shows a summary for a proposal too large to diff, and a bash command with what needs care', async () => {
    const { page, id } = await fresh();
    const large = { path: 'data/big.json', previousContent: null, content: 'x'.repeat(2 * 1024 * 1024) };
    const command = { command: 'rm -rf dist > log.txt', cwd: '.', notes: [{ kind: 'deletion', text: 'deletes -rf dist (rm)' }, { kind: 'redirection', text: 'writes to log.txt (>)' }] };
    await stream(page, id, [
      { event: 'ToolPermission', data: { id: 72, toolCallId: 'w', tool: 'write_file', args: { path: 'data/big.json' }, proposal: large } },
      { event: 'ToolPermission', data: { id: 73, toolCallId: 'b', tool: 'bash', args: { command: command.command }, commandReview: command } },
    ]);
    await page.locator('[data-prompt-id="73"]').waitFor();
    expect(await page.locator('[data-prompt-id="72"] .proposal-summary').textContent()).toContain('large change: 2.0 MB, new file');
    expect(await page.locator('[data-prompt-id="72"] .diff-line').count()).toBe(0);
    const bash = page.locator('[data-prompt-id="73"]');
    expect(await bash.locator('.tool-command').textContent()).toBe('$ rm -rf dist > log.txt');
    expect(await bash.locator('.command-cwd').textContent()).toBe('in the workspace root');
    expect(await bash.locator('.command-note').allTextContents()).toEqual([' deletes -rf dist (rm)', ' writes to log.txt (>)']);
  });

  it('lists an answer\'s changed files with Keep, Undo, Undo all, a diff each, Compare and Restore', async () => {
    const page = await openHarness(browser);
    const id = await sendMessage(page, 'Change things');
    const messageId = await page.evaluate(() => document.querySelector('.message.assistant')!.getAttribute('data-message-id'));
    await page.evaluate((m) => {
      (window as any).harness.checkpoints = [{ messageId: m, createdAt: 1, files: [
        { path: 'src/a.ts', change: 'modified', added: 3, removed: 1, binary: false, state: 'pending', byCommand: false },
        { path: 'README.md', change: 'modified', added: 1, removed: 4, binary: false, state: 'pending', byCommand: true },
      ] }];
    }, messageId);
    await stream(page, id, [{ event: 'Chunk', data: { text: 'Done.' } }, { event: 'Done', data: {} }]);
    const list = page.locator('.changed-files');
    await list.waitFor();
    expect((await list.locator('.changed-file').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim())).toEqual(['src/a.ts +3 −1', 'README.md +1 −4 bash']);
    await list.locator('.changed-path', { hasText: 'src/a.ts' }).click();
    await waitCalls(page, 'open_checkpoint_diff');
    expect((await calls(page, 'open_checkpoint_diff'))[0].args).toMatchObject({ messageId, path: 'src/a.ts' });
    await list.locator('button[aria-label="Undo the change to README.md"]').click();
    await waitCalls(page, 'undo_checkpoint_files');
    expect((await calls(page, 'undo_checkpoint_files'))[0].args).toMatchObject({ messageId, paths: ['README.md'] });
    await list.locator('button', { hasText: 'Undo all' }).click();
    await waitCalls(page, 'undo_checkpoint_files', 2);
    expect((await calls(page, 'undo_checkpoint_files'))[1].args.paths).toBeUndefined();
    await page.locator('.message.assistant button[aria-label^="Compare"]').click();
    await waitCalls(page, 'compare_checkpoint');
    await page.locator('.message.assistant button[aria-label^="Restore checkpoint"]').click();
    await waitCalls(page, 'restore_checkpoint');
    expect((await calls(page, 'restore_checkpoint'))[0].args).toMatchObject({ messageId });
  });
});

describe('ask-user cards', () => {
  it('answers text (Ctrl+Enter), choice (button and free text) and confirm (Yes/No)', async () => {
    const { page, id } = await fresh();
    await stream(page, id, [
      { event: 'AskUser', data: { id: 51, question: 'What should the component be called?', questionType: 'text' } },
      { event: 'AskUser', data: { id: 52, question: 'Which style?', questionType: 'choice', choices: ['Tailwind', 'CSS modules'] } },
      { event: 'AskUser', data: { id: 53, question: 'Which runtime?', questionType: 'choice', choices: ['Node', 'Bun'] } },
      { event: 'AskUser', data: { id: 54, question: 'Overwrite the file?', questionType: 'confirm' } },
      { event: 'AskUser', data: { id: 55, question: 'Continue?', questionType: 'confirm' } },
    ]);
    await page.waitForSelector('[data-prompt-id="55"]');
    await page.locator('[data-prompt-id="51"] vscode-text-area').click();
    await page.keyboard.type('  UserCard ');
    await page.keyboard.press('Control+Enter');
    await page.locator('[data-prompt-id="52"] vscode-button', { hasText: 'CSS modules' }).click();
    await page.locator('[data-prompt-id="53"] vscode-text-area').click();
    await page.keyboard.type('Deno');
    await page.keyboard.press('Enter');
    await page.locator('[data-prompt-id="54"] vscode-button', { hasText: 'Yes' }).click();
    await page.locator('[data-prompt-id="55"] vscode-button', { hasText: 'No' }).click();
    await waitCalls(page, 'resolve_ask_user', 5);
    expect((await calls(page, 'resolve_ask_user')).map((c) => c.args)).toEqual([
      { requestId: 51, answer: 'UserCard' },
      { requestId: 52, answer: 'CSS modules' },
      { requestId: 53, answer: 'Deno' },
      { requestId: 54, answer: 'Yes' },
      { requestId: 55, answer: 'No' },
    ]);
    expect(await page.textContent('[data-prompt-id="53"] .prompt-outcome')).toContain('Deno');
  });

  const form = {
    event: 'AskUserForm',
    data: {
      id: 61,
      title: 'Project details',
      fields: [
        { id: 'name', label: 'Project name', fieldType: 'text', placeholder: 'my-app' },
        { id: 'framework', label: 'Framework', fieldType: 'choice', choices: ['React', 'Preact', 'Svelte'] },
        { id: 'features', label: 'Features', fieldType: 'multiselect', choices: ['Router', 'Tests', 'Lint'] },
        { id: 'git', label: 'Initialise git?', fieldType: 'confirm' },
        { id: 'notes', label: 'Notes', fieldType: 'text', required: false },
      ],
    },
  };

  it('keeps Submit disabled until required fields are filled, then sends the answers', async () => {
    const { page, id } = await fresh();
    await stream(page, id, [form]);
    const card = page.locator('[data-prompt-id="61"]');
    await card.waitFor();
    const submit = card.locator('vscode-button', { hasText: 'Submit' });
    expect(await submit.getAttribute('disabled')).not.toBeNull();
    await card.locator('[data-field-id="name"] vscode-text-field').click();
    await page.keyboard.type('shop');
    await card.locator('[data-field-id="framework"] vscode-radio', { hasText: 'Preact' }).click();
    await card.locator('[data-field-id="features"] vscode-checkbox', { hasText: 'Router' }).click();
    await card.locator('[data-field-id="features"] vscode-checkbox', { hasText: 'Lint' }).click();
    expect(await submit.getAttribute('disabled')).not.toBeNull();
    await card.locator('[data-field-id="git"] vscode-radio', { hasText: 'Yes' }).click();
    await page.waitForFunction(() => !document.querySelector('[data-prompt-id="61"] vscode-button[appearance="primary"]')?.hasAttribute('disabled'));
    await submit.click();
    await waitCalls(page, 'resolve_ask_user_form');
    expect((await calls(page, 'resolve_ask_user_form'))[0].args).toEqual({ requestId: 61, answers: { name: 'shop', framework: 'Preact', features: ['Router', 'Lint'], git: 'Yes', notes: '' } });
  });

  it('can be filled and submitted with the keyboard only', async () => {
    const { page, id } = await fresh();
    await stream(page, id, [form]);
    await page.waitForFunction(() => document.activeElement?.matches('[data-prompt-id="61"]'));
    await page.keyboard.press('Tab'); // name
    await page.keyboard.type('kb-app');
    await page.keyboard.press('Tab'); // framework radio group
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab'); // first checkbox
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab'); // git radio group
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab'); // notes
    await page.keyboard.type('none');
    await page.keyboard.press('Tab'); // Submit
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Submit');
    await page.keyboard.press('Enter');
    await waitCalls(page, 'resolve_ask_user_form');
    const answers = (await calls(page, 'resolve_ask_user_form'))[0].args.answers;
    expect(answers.name).toBe('kb-app');
    expect(answers.framework).toBe('Preact');
    expect(answers.features).toEqual(['Router', 'Lint']);
    expect(answers.git).toBe('Yes');
    expect(answers.notes).toBe('none');
  });
});

describe('errors and stop', () => {
  it('shows an Error event once, as a card with the cause, the fix and Retry, which starts a new stream', async () => {
    const { page, id } = await fresh();
    await stream(page, id, [{ event: 'Chunk', data: { text: 'Partial' } }, { event: 'Error', data: { message: 'error sending request: connection refused', code: 'provider' } }]);
    const card = page.locator('.message.assistant .error-card');
    await card.waitFor();
    // One element per failure: no banner, hint or second red line repeating it.
    expect(await page.locator('.error-card, .error-banner, .header-problem').count()).toBe(1);
    expect(await page.locator('[role="alert"]').count()).toBe(1);
    expect(await card.locator('.error-cause').textContent()).toBe('error sending request: connection refused');
    expect(await card.locator('.error-fix').textContent()).toContain('Ollama is not reachable at http://localhost:11434');
    expect(await page.locator('.generating').count()).toBe(0);
    expect(await page.locator('.send-button').count()).toBe(1);
    await card.locator('vscode-button', { hasText: 'Retry' }).click();
    await waitCalls(page, 'generate_completion_stream', 2);
    const retried = (await calls(page, 'generate_completion_stream'))[1].args;
    expect(retried.messages.map((m: any) => m.role)).toEqual(['system', 'user']);
    expect(await page.locator('.error-card').count()).toBe(0);
  });

  it('ends the turn when the invoke itself fails, leaving nothing spinning', async () => {
    const page = await openHarness(browser);
    await page.evaluate(() => {
      (window as any).harness.handlers.generate_completion_stream = () => {
        throw { code: -32016, message: 'model "nope" not found, try pulling it first' };
      };
    });
    await page.locator('.composer-input').click();
    await page.keyboard.type('hi');
    await page.keyboard.press('Enter');
    await page.locator('.error-card').waitFor();
    expect(await page.locator('.error-card').count()).toBe(1);
    expect(await page.textContent('.error-card')).toContain('not installed in Ollama');
    expect(await page.locator('.generating').count()).toBe(0);
    expect(await page.locator('vscode-progress-ring').count()).toBe(0);
  });

  it('Stop sends stop_generation_stream with the channel id and shows the stopped turn', async () => {
    const { page, id } = await fresh();
    await stream(page, id, [{ event: 'Chunk', data: { text: 'Working on it' } }]);
    await page.locator('.stop-button').click();
    await waitCalls(page, 'stop_generation_stream');
    expect((await calls(page, 'stop_generation_stream'))[0].args).toEqual({ requestId: id });
    await stream(page, id, [{ event: 'Done', data: { doneReason: 'cancelled' } }], { start: 1 });
    await page.waitForSelector('.message-note');
    expect(await page.textContent('.message-note')).toBe('Stopped.');
    expect(await page.locator('.generating').count()).toBe(0);
  });
});
