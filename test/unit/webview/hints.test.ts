// What an error card shows: the cause and the fix split where the sidecar's message says "—", a
// hint only when the error does not already say what to do, and the buttons and docs link.
import { describe, expect, it } from 'vitest';
import { describeError, hintFor } from '../../../webview/session/hints';
import { overflowMessage } from '../../../src/relay/channelRelay';
import type { ChatSettings } from '../../../src/protocol/webviewMessages';

const settings: ChatSettings = {
  provider: 'ollama',
  model: 'llama3.2:latest',
  ollamaHost: 'http://localhost:11434',
  openaiHost: 'https://api.openai.com',
  anthropicHost: 'https://api.anthropic.com',
  toolPermissionMode: 'ask_every_time',
  toolAllowlist: [],
  maxToolCalls: 20,
  toolsEnabled: true,
  workspaceTrusted: true,
  hasApiKey: { ollama: false, openai: false, anthropic: false },
};

describe('hintFor', () => {
  it('adds no second sentence to a sidecar error that already says what to do, but offers Retry', () => {
    const message = 'Ollama is not running at http://localhost:11434 (Connection refused) — start it with `ollama serve` or change prototyper.ollama.host.';
    expect(hintFor(message, 'provider_unreachable', settings)).toEqual({ text: '', action: 'retry' });
  });

  it('explains an interrupted answer as a reload, not as a crash', () => {
    const hint = hintFor('This response was interrupted (VS Code reloaded or the sidecar restarted). Retry to ask again.', 'interrupted', settings);
    expect(hint?.action).toBe('retry');
    expect(hint?.text).toBe('');
  });

  it('offers Retry for an answer cut off while the panel was hidden, not an API key', () => {
    const openai = { ...settings, provider: 'openai' as const };
    expect(hintFor(overflowMessage(100_000), 'overflow', openai)).toEqual({ text: '', action: 'retry' });
  });

  it('points a crashed sidecar at the output channel that exists', () => {
    expect(hintFor('The Prototyper sidecar stopped unexpectedly (exit code 101).', 'sidecar_exited', settings)?.text).toContain('"Prototyper Sidecar" output');
  });

  it('names the real Ollama host setting for an unexplained connection failure', () => {
    expect(hintFor('fetch failed: connection refused', undefined, settings)?.text).toContain('"prototyper.ollama.host"');
  });

  it('offers Set API Key for a cloud provider without a key', () => {
    expect(hintFor('HTTP 401', undefined, { ...settings, provider: 'anthropic' })).toMatchObject({ action: 'setApiKey' });
  });
});

describe('describeError', () => {
  it('splits the sidecar\'s "what happened — what to do", offers Retry, the host setting and the Ollama download', () => {
    const view = describeError('Ollama is not running at http://localhost:11434 (Connection refused) — start it with `ollama serve` or change prototyper.ollama.host.', 'provider_unreachable', settings);
    expect(view).toEqual({
      cause: 'Ollama is not running at http://localhost:11434 (Connection refused)',
      fix: 'Start it with `ollama serve` or change prototyper.ollama.host.',
      actions: [{ kind: 'retry' }, { kind: 'openSetting', key: 'prototyper.ollama.host', label: 'Open Setting' }],
      docs: { label: 'Install Ollama', url: 'https://ollama.com/download' },
    });
  });

  it('uses the hint as the fix when the message says only what happened', () => {
    const view = describeError('error sending request: connection refused', 'provider', settings);
    expect(view.cause).toBe('error sending request: connection refused');
    expect(view.fix).toContain('Ollama is not reachable at http://localhost:11434');
  });

  it('offers to pull a missing Ollama model by its name, and the library', () => {
    const view = describeError("Model 'qwen3:8b' not found at http://localhost:11434 — run `ollama pull qwen3:8b` or pick another model.", 'model_not_found', settings);
    expect(view.actions).toContainEqual({ kind: 'pullModel', model: 'qwen3:8b' });
    expect(view.docs?.url).toBe('https://ollama.com/library');
  });

  it('points a refused key at Set API Key and the provider\'s key page', () => {
    const view = describeError("Anthropic rejected the API key (HTTP 401: invalid x-api-key) — set it with 'Prototyper: Set API Key'.", 'auth', { ...settings, provider: 'anthropic', hasApiKey: { ...settings.hasApiKey, anthropic: true } });
    expect(view.actions[0]).toEqual({ kind: 'setApiKey' });
    expect(view.docs?.url).toBe('https://console.anthropic.com/settings/keys');
  });

  it('offers the limits as settings: tool calls and idle time', () => {
    expect(describeError('The agent made 20 tool calls — raise prototyper.maxToolCalls to let it go on.', 'max_tool_calls', settings).actions).toContainEqual({ kind: 'openSetting', key: 'prototyper.maxToolCalls', label: 'Raise the Limit' });
    expect(describeError('No data for 60 s — the model may be loading.', 'idle_timeout', settings).actions).toContainEqual({ kind: 'openSetting', key: 'prototyper.idleTimeoutSeconds', label: 'Wait Longer' });
  });
});
