// The composer's controls through the built webview: the model picker (full names with what each
// model can do, providers, refresh), thinking and its level, the mode (chat only, ask, auto),
// presets and options, and a provider that is down or switched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildWebview, calls, launch, openHarness, sendMessage, stream } from './support';

let browser: Browser;
beforeAll(async () => {
  await buildWebview();
  browser = await launch();
});
afterAll(async () => browser?.close());

const waitCalls = (page: Page, command: string, n = 1) => page.waitForFunction(([c, k]) => (window as any).harness.calls(c).length >= k, [command, n] as const);

async function pickModel(page: Page, name: string): Promise<void> {
  await page.locator('.composer .model-picker').click();
  await page.locator('.model-popover [role="option"]', { hasText: name }).click();
}

async function pickMode(page: Page, label: string): Promise<void> {
  await page.locator('.composer .mode-picker').click();
  await page.locator('.mode-popover [role="option"]', { hasText: label }).click();
}

describe('model picker', () => {
  it('lists full names with capabilities and context, and sends with the picked model', async () => {
    const page = await openHarness(browser, { width: 300 });
    await page.locator('.composer .model-picker').click();
    const options = page.locator('.model-popover [role="option"]');
    await options.first().waitFor();
    expect(await options.allTextContents()).toEqual([
      expect.stringMatching(/^qwen3:8b.*tools.*thinking.*40k ctx.*8\.2B/),
      expect.stringMatching(/^llava:7b.*vision.*4k ctx.*7B.*no tools/),
      expect.stringMatching(/^gpt-oss:20b.*tools.*thinking.*128k ctx/),
    ]);
    // The open list is as wide as the view, and no name is cut.
    const clipped = await page.evaluate(() => [...document.querySelectorAll('.model-popover .model-name')].filter((el) => el.scrollWidth > el.clientWidth).length);
    expect(clipped).toBe(0);
    await page.locator('.model-popover [role="option"]', { hasText: 'llava:7b' }).click();
    await waitCalls(page, 'update_setting');
    expect((await calls(page, 'update_setting'))[0].args).toEqual({ key: 'model', value: 'llava:7b' });
    await page.waitForFunction(() => (document.querySelector('.composer .model-picker') as HTMLButtonElement).value === 'llava:7b');
    // Focus goes back to the picker's button.
    expect(await page.evaluate(() => document.activeElement?.classList.contains('model-picker'))).toBe(true);
    expect(await page.locator('.think-toggle').count()).toBe(0);
    await sendMessage(page, 'hi');
    const args = (await calls(page, 'generate_completion_stream'))[0].args;
    expect(args.model).toBe('llava:7b');
    // Tools go as the user set them and the context window is the sidecar's to send: it refuses
    // tools for llava with an error that says what to do.
    expect(args.tools).toBe(true);
    expect(args.options.numCtx).toBeUndefined();
  });

  it('is driven by the keyboard: arrows move, type-ahead finds, Enter picks, Escape closes', async () => {
    const page = await openHarness(browser);
    await page.locator('.composer .model-picker').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.getAttribute('role') === 'listbox');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Escape');
    await page.waitForSelector('.model-popover', { state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.classList.contains('model-picker'))).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.getAttribute('role') === 'listbox');
    await page.keyboard.type('gpt');
    await page.keyboard.press('Enter');
    await waitCalls(page, 'update_setting');
    expect((await calls(page, 'update_setting'))[0].args).toEqual({ key: 'model', value: 'gpt-oss:20b' });
  });

  it('switches provider with its own model, never the previous provider\'s, and back again', async () => {
    const page = await openHarness(browser);
    await page.locator('.composer .model-picker').click();
    await page.locator('.model-popover [role="radio"]', { hasText: 'Anthropic' }).click();
    await waitCalls(page, 'list_anthropic_models');
    await page.waitForSelector('.model-popover [role="option"]:has-text("Claude Sonnet 4")');
    await page.waitForFunction(() => (document.querySelector('.composer .model-picker') as HTMLButtonElement).value === 'claude-sonnet-4');
    const updates = (await calls(page, 'update_setting')).map((c) => c.args);
    expect(updates).toContainEqual({ key: 'provider', value: 'anthropic' });
    expect(updates.filter((u) => u.key === 'model').map((u) => u.value)).not.toContain('qwen3:8b');
    await page.keyboard.press('Escape');
    await sendMessage(page, 'hello claude');
    expect((await calls(page, 'generate_completion_stream'))[0].args).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-4' });
    await stream(page, await page.evaluate(() => (window as any).harness.lastStream()), [{ event: 'Done', data: {} }]);

    // Back to Ollama: the model used there before comes back.
    await page.locator('.composer .model-picker').click();
    await page.locator('.model-popover [role="radio"]', { hasText: 'Ollama' }).click();
    await page.waitForFunction(() => (document.querySelector('.composer .model-picker') as HTMLButtonElement).value === 'qwen3:8b');
  });

  it('says clearly when Ollama is not running, once, and recovers on Retry', async () => {
    const page = await openHarness(browser);
    await page.waitForSelector('.welcome-ready');
    await page.evaluate(() => {
      (window as any).harness.handlers.list_ollama_models = () => {
        throw { code: -32016, message: 'Ollama is not running at http://localhost:11434 (Connection refused) — start it with `ollama serve` or change prototyper.ollama.host.', data: { kind: 'provider_unreachable' } };
      };
    });
    await page.locator('.composer .model-picker').click();
    await page.locator('.model-popover button[aria-label="Refresh models"]').click();
    await page.keyboard.press('Escape');
    await page.waitForSelector('.welcome-unreachable');
    // One element says it, with the cause, the fix, and a link to the setting it names.
    expect(await page.locator('.error-card').count()).toBe(1);
    const card = page.locator('.error-card');
    expect(await card.locator('.error-cause').textContent()).toContain('Ollama is not running at http://localhost:11434');
    expect(await card.locator('.error-fix').textContent()).toBe('Start it with ollama serve or change prototyper.ollama.host.');
    expect(await card.locator('.error-fix code').first().textContent()).toBe('ollama serve');
    await card.locator('.setting-link').click();
    await waitCalls(page, 'open_setting');
    expect((await calls(page, 'open_setting'))[0].args).toEqual({ key: 'prototyper.ollama.host' });
    await page.evaluate(() => delete (window as any).harness.handlers.list_ollama_models);
    await card.locator('vscode-button', { hasText: 'Retry' }).click();
    await page.waitForSelector('.welcome-ready');
    expect(await page.locator('.error-card').count()).toBe(0);
  });
});

describe('thinking, mode and options', () => {
  it('sends think, tools and the permission mode as set in the composer', async () => {
    const page = await openHarness(browser);
    await page.locator('.think-toggle').click();
    expect(await page.locator('.think-toggle').getAttribute('aria-pressed')).toBe('true');
    await pickMode(page, 'Auto-accept reads');
    await waitCalls(page, 'update_setting');
    expect((await calls(page, 'update_setting')).map((c) => c.args)).toEqual([{ key: 'toolPermissionMode', value: 'auto_accept_read_only' }]);
    await sendMessage(page, 'go');
    expect((await calls(page, 'generate_completion_stream'))[0].args).toMatchObject({ think: true, tools: true, toolPermissionMode: 'auto_accept_read_only' });
    await stream(page, await page.evaluate(() => (window as any).harness.lastStream()), [{ event: 'Done', data: {} }]);

    await pickMode(page, 'Chat only');
    await waitCalls(page, 'update_setting', 2);
    expect((await calls(page, 'update_setting'))[1].args).toEqual({ key: 'toolsEnabled', value: false });
    await page.waitForSelector('.mode-picker[data-mode="chat"]');
    await sendMessage(page, 'just talk');
    expect((await calls(page, 'generate_completion_stream'))[1].args.tools).toBe(false);
  });

  it('offers thinking levels for gpt-oss, which always reasons ("low" with Thinking off)', async () => {
    const page = await openHarness(browser);
    await pickModel(page, 'gpt-oss:20b');
    await page.waitForFunction(() => document.querySelector('.think-toggle')?.getAttribute('title')?.includes('gpt-oss'));
    const first = await sendMessage(page, 'one');
    expect((await calls(page, 'generate_completion_stream'))[0].args.think).toBe('low');
    await stream(page, first, [{ event: 'Chunk', data: { text: 'ok', thinking: null } }, { event: 'Done', data: { done_reason: 'stop' } }]);

    await page.locator('.options-button').click();
    expect(await page.locator('.options-popover .think-level-picker').getAttribute('disabled')).not.toBeNull();
    await page.locator('.options-popover vscode-checkbox', { hasText: 'Thinking' }).click();
    await page.waitForFunction(() => !document.querySelector('.think-level-picker')?.hasAttribute('disabled'));
    await page.locator('.think-level-picker').selectOption('high');
    await page.keyboard.press('Escape');
    await sendMessage(page, 'two');
    expect((await calls(page, 'generate_completion_stream'))[1].args.think).toBe('high');
  });

  it('applies a preset, edits an option, and saves the options as a new preset', async () => {
    const page = await openHarness(browser);
    await page.locator('.options-button').click();
    await page.locator('.options-popover .preset-picker').selectOption({ label: 'Precise' });
    const seed = page.locator('.option-field vscode-text-field[aria-label="Seed"]');
    await seed.click();
    await page.keyboard.type('42');
    await page.keyboard.press('Tab');
    await page.locator('vscode-text-field[aria-label="New preset name"]').click();
    await page.keyboard.type('Seeded');
    await page.locator('.preset-save vscode-button').click();
    await waitCalls(page, 'save_model_presets');
    const saved = (await calls(page, 'save_model_presets'))[0].args.presets;
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ name: 'Seeded', options: { temperature: 0.1, topK: 20, seed: 42 } });
    await page.keyboard.press('Escape');
    expect(await page.locator('.options-button').getAttribute('aria-label')).toBe('Options: Seeded');
    await sendMessage(page, 'with preset');
    expect((await calls(page, 'generate_completion_stream'))[0].args.options).toEqual({ temperature: 0.1, topK: 20, seed: 42 });
  });
});
