// What the error banner and header add to an error: the action to offer, and a sentence only when
// the error itself does not already say what to do.
import { describe, expect, it } from 'vitest';
import { hintFor } from '../../../webview/session/hints';
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
