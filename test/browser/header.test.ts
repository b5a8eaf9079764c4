// The header through the built webview: models with capability badges, thinking (and its level)/
// tools/permission settings, providers, presets and options, and a provider that is down.
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

async function choose(page: Page, dropdown: string, option: string): Promise<void> {
  await page.locator(dropdown).click();
  await page.locator(`${dropdown} vscode-option`, { hasText: option }).click();
}

describe('header', () => {
  it('shows capability badges and context length, and switches models', async () => {
    const page = await openHarness(browser);
    await page.waitForSelector('.badge-tools');
    expect(await page.textContent('.badges')).toContain('40k ctx');
    expect(await page.locator('.badge-thinking').count()).toBe(1);
    await page.locator('vscode-checkbox', { hasText: 'Thinking' }).waitFor();
    await choose(page, 'vscode-dropdown.model-picker', 'llava:7b');
    await waitCalls(page, 'update_setting');
    expect((await calls(page, 'update_setting'))[0].args).toEqual({ key: 'model', value: 'llava:7b' });
    await page.waitForSelector('.badge-vision');
    expect(await page.textContent('.badges')).toContain('no tools');
    expect(await page.locator('vscode-checkbox', { hasText: 'Thinking' }).count()).toBe(0);
    const id = await sendMessage(page, 'hi');
    expect(id).toBeGreaterThan(0);
    const args = (await calls(page, 'generate_completion_stream'))[0].args;
    expect(args.model).toBe('llava:7b');
    // Tools go as the user set them and the context window is the sidecar's to send: it refuses
    // tools for llava with an error that says what to do.
    expect(args.tools).toBe(true);
    expect(args.options.numCtx).toBeUndefined();
  });

  it('sends think, tools and permission mode as set in the header', async () => {
    const page = await openHarness(browser);
    await page.locator('vscode-checkbox', { hasText: 'Thinking' }).click();
    await page.locator('vscode-checkbox', { hasText: 'Tools' }).click();
    await choose(page, 'vscode-dropdown.mode-picker', 'Auto-accept reads');
    await waitCalls(page, 'update_setting', 2);
    expect((await calls(page, 'update_setting')).map((c) => c.args)).toEqual([
      { key: 'toolsEnabled', value: false },
      { key: 'toolPermissionMode', value: 'auto_accept_read_only' },
    ]);
    await sendMessage(page, 'go');
    const args = (await calls(page, 'generate_completion_stream'))[0].args;
    expect(args).toMatchObject({ think: true, tools: false, toolPermissionMode: 'auto_accept_read_only' });
  });

  it('offers thinking levels for gpt-oss, which always reasons ("low" with Thinking off)', async () => {
    const page = await openHarness(browser);
    await page.waitForSelector('.badge-tools');
    expect(await page.locator('.think-level-picker').count()).toBe(0);
    await choose(page, 'vscode-dropdown.model-picker', 'gpt-oss:20b');
    await page.waitForSelector('.think-level-picker');
    expect(await page.locator('.think-level-picker').getAttribute('disabled')).not.toBeNull();
    const first = await sendMessage(page, 'one');
    expect((await calls(page, 'generate_completion_stream'))[0].args.think).toBe('low');
    await stream(page, first, [{ event: 'Chunk', data: { text: 'ok', thinking: null } }, { event: 'Done', data: { done_reason: 'stop' } }]);

    await page.locator('vscode-checkbox', { hasText: 'Thinking' }).click();
    await page.waitForFunction(() => !document.querySelector('.think-level-picker')?.hasAttribute('disabled'));
    await choose(page, 'vscode-dropdown.think-level-picker', 'High');
    await sendMessage(page, 'two');
    expect((await calls(page, 'generate_completion_stream'))[1].args.think).toBe('high');
  });

  it('lists Anthropic models after switching provider', async () => {
    const page = await openHarness(browser);
    await choose(page, 'vscode-dropdown.provider-picker', 'Anthropic');
    await waitCalls(page, 'list_anthropic_models');
    await page.waitForFunction(() => document.querySelector('vscode-dropdown.model-picker')?.textContent?.includes('Claude Sonnet 4'));
    const updates = (await calls(page, 'update_setting')).map((c) => c.args);
    expect(updates).toContainEqual({ key: 'provider', value: 'anthropic' });
    expect(updates).toContainEqual({ key: 'model', value: 'claude-sonnet-4' });
  });

  it('applies a preset, edits an option, and saves the options as a new preset', async () => {
    const page = await openHarness(browser);
    await page.click('.options-panel summary');
    await choose(page, '.options-panel vscode-dropdown', 'Precise');
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
    await sendMessage(page, 'with preset');
    const options = (await calls(page, 'generate_completion_stream'))[0].args.options;
    expect(options).toEqual({ temperature: 0.1, topK: 20, seed: 42 });
  });

  it('says clearly when Ollama is not running, and recovers on Retry', async () => {
    const page = await openHarness(browser);
    await page.evaluate(() => {
      (window as any).harness.handlers.list_ollama_models = () => {
        throw { code: -32016, message: 'error sending request for url (http://localhost:11434/api/tags): connection refused' };
      };
    });
    await page.locator('vscode-button[aria-label="Refresh models"]').click();
    await page.waitForSelector('.header-problem');
    expect(await page.textContent('.header-problem')).toContain('Ollama is not reachable at http://localhost:11434. Start it');
    await page.evaluate(() => delete (window as any).harness.handlers.list_ollama_models);
    await page.locator('.header-problem vscode-button', { hasText: 'Retry' }).click();
    await page.waitForSelector('.header-problem', { state: 'detached' });
  });
});
