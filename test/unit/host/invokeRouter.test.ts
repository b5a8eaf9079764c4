// Invoke routing: channel markers become bare ids registered to the calling session, host commands
// go to the host, credentials come from the host only, and every invoke is answered once.
import { describe, expect, it } from 'vitest';
import { ChannelRelay } from '../../../src/relay/channelRelay';
import { InvokeRouter, replaceChannelRefs, toInvokeError, type InvokeRouterDeps } from '../../../src/relay/invokeRouter';
import { WebviewBridge } from '../../../src/relay/webviewBridge';
import type { HostToWebview } from '../../../src/protocol/webviewMessages';
import type { CancellationToken } from 'vscode-jsonrpc';

function setup(overrides: Partial<InvokeRouterDeps> = {}) {
  const relay = new ChannelRelay();
  const calls: Array<{ method: string; params: Record<string, unknown> }> = [];
  const router = new InvokeRouter({
    channels: relay,
    sidecar: {
      request: async (method, params) => {
        calls.push({ method, params: params as Record<string, unknown> });
        if (method === 'bad') throw Object.assign(new Error('Unknown command'), { code: -32601, data: { method } });
        return { ok: method };
      },
    },
    hostCommands: {
      copy_text: async (args) => ({ copied: args.text }),
    },
    credentials: async (provider) => ({ host: `https://${provider}.example`, apiKey: `key-${provider}` }),
    ...overrides,
  });
  const posted: HostToWebview[] = [];
  const errors: string[] = [];
  const bridge = new WebviewBridge(relay, router, { error: (m) => errors.push(m) });
  relay.attach('s', (m) => posted.push(m));
  bridge.receive('s', { type: 'ready', channels: {} });
  return { relay, router, calls, bridge, posted, errors };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('InvokeRouter', () => {
  it('replaces channel markers anywhere in the args', () => {
    const seen: number[] = [];
    const out = replaceChannelRefs({ onEvent: { __channel__: 5 }, nested: [{ c: { __channel__: 6 } }], keep: { __channel__: 1, other: 2 } }, (id) => {
      seen.push(id);
      return id;
    });
    expect(out).toEqual({ onEvent: 5, nested: [{ c: 6 }], keep: { __channel__: 1, other: 2 } });
    expect(seen).toEqual([5, 6]);
  });

  it('registers the channel to the calling session and forwards the bare id', async () => {
    const { router, relay, calls } = setup();
    await router.invoke({ sessionKey: 's' }, 'run_shell_command', { cwd: '.', command: 'echo hi', onEvent: { __channel__: 77 } });
    expect(calls).toEqual([{ method: 'run_shell_command', params: { cwd: '.', command: 'echo hi', onEvent: 77 } }]);
    expect(relay.isOpen(77)).toBe(true);
    await expect(router.invoke({ sessionKey: 's' }, 'run_shell_command', { onEvent: { __channel__: 77 } })).rejects.toMatchObject({
      code: -32602,
      message: expect.stringMatching(/already in use/),
    });
    expect(calls).toHaveLength(1);
  });

  it('fills host and apiKey from the host, overriding whatever the webview sent', async () => {
    const { router, calls } = setup();
    await router.invoke({ sessionKey: 's' }, 'generate_completion_stream', {
      provider: 'anthropic',
      host: 'https://evil.example',
      apiKey: 'stolen?',
      model: 'm',
      onEvent: { __channel__: 8 },
    });
    await router.invoke({ sessionKey: 's' }, 'list_openai_models', { provider: 'ollama' });
    await router.invoke({ sessionKey: 's' }, 'generate_completion', { model: 'm' });
    expect(calls[0].params).toMatchObject({ provider: 'anthropic', host: 'https://anthropic.example', apiKey: 'key-anthropic', onEvent: 8 });
    expect(calls[1].params).toMatchObject({ host: 'https://openai.example', apiKey: 'key-openai' });
    expect(calls[2].params).toMatchObject({ provider: 'ollama', host: 'https://ollama.example', apiKey: 'key-ollama' });
    await expect(router.invoke({ sessionKey: 's' }, 'generate_completion', { provider: 'claude' })).rejects.toMatchObject({ code: -32602 });
  });

  it('fills completion settings the args leave out, and only those', async () => {
    const { router, calls } = setup({ completionDefaults: () => ({ toolAllowlist: ['read_file'], idleTimeoutSeconds: 60, tools: true }) });
    await router.invoke({ sessionKey: 's' }, 'generate_completion_stream', { model: 'm', tools: false, onEvent: { __channel__: 12 } });
    expect(calls[0].params).toMatchObject({ toolAllowlist: ['read_file'], idleTimeoutSeconds: 60, tools: false });
    await router.invoke({ sessionKey: 's' }, 'list_ollama_models', {});
    expect(calls[1].params).not.toHaveProperty('toolAllowlist');
  });

  it('fills provider-specific completion settings from the settled provider', async () => {
    const { router, calls } = setup({ completionDefaults: (params) => ({ toolChoice: params.provider === 'openai' ? 'omit' : undefined }) });
    await router.invoke({ sessionKey: 's' }, 'generate_completion_stream', { model: 'm', provider: 'openai', onEvent: { __channel__: 13 } });
    expect(calls[0].params).toMatchObject({ toolChoice: 'omit' });
    await router.invoke({ sessionKey: 's' }, 'generate_completion_stream', { model: 'm', provider: 'ollama', onEvent: { __channel__: 14 } });
    expect(calls[1].params).not.toHaveProperty('toolChoice');
    await router.invoke({ sessionKey: 's' }, 'generate_completion_stream', { model: 'm', provider: 'openai', toolChoice: { name: 'write_file' }, onEvent: { __channel__: 15 } });
    expect(calls[2].params).toMatchObject({ toolChoice: { name: 'write_file' } });
  });

  it('does not fill credentials for other commands', async () => {
    const { router, calls } = setup();
    await router.invoke({ sessionKey: 's' }, 'read_file', { path: 'a.txt' });
    expect(calls[0].params).toEqual({ path: 'a.txt' });
  });

  it('frees a channel whose call failed before the sidecar used it', async () => {
    const { router, relay } = setup();
    await expect(router.invoke({ sessionKey: 's' }, 'bad', { onEvent: { __channel__: 9 } })).rejects.toMatchObject({ code: -32601 });
    expect(relay.isOpen(9)).toBe(false);
  });

  it('maps any error to code and message', () => {
    expect(toInvokeError(Object.assign(new Error('x'), { code: -32010, data: 1 }))).toEqual({ code: -32010, message: 'x', data: 1 });
    expect(toInvokeError(new Error('plain'))).toEqual({ code: -32603, message: 'plain' });
    expect(toInvokeError('text')).toEqual({ code: -32603, message: 'text' });
  });
});

describe('WebviewBridge', () => {
  it('answers each invoke once, with the result or the JSON-RPC error', async () => {
    const { bridge, posted } = setup();
    bridge.receive('s', { type: 'invoke', callId: 1, command: 'copy_text', args: { text: 'hi' } });
    bridge.receive('s', { type: 'invoke', callId: 2, command: 'bad', args: {} });
    bridge.receive('s', { type: 'invoke', callId: 3, command: 'read_file', args: { path: 'x' } });
    await settle();
    // Answers come in completion order; each call gets exactly one.
    const byCall = [...posted].sort((a, b) => (a as { callId: number }).callId - (b as { callId: number }).callId);
    expect(byCall).toEqual([
      { type: 'response', callId: 1, ok: true, result: { copied: 'hi' } },
      { type: 'response', callId: 2, ok: false, error: { code: -32601, message: 'Unknown command', data: { method: 'bad' } } },
      { type: 'response', callId: 3, ok: true, result: { ok: 'read_file' } },
    ]);
  });

  it('does not answer a call from before a reload', async () => {
    let release!: () => void;
    const { bridge, posted } = setup({
      sidecar: { request: () => new Promise((resolve) => (release = () => resolve('late'))) },
    });
    bridge.receive('s', { type: 'invoke', callId: 1, command: 'slow', args: {} });
    bridge.receive('s', { type: 'ready', channels: {} });
    release();
    await settle();
    expect(posted.filter((m) => m.type === 'response')).toEqual([]);
  });

  it('cancels the sidecar calls of a chat closed for good, and only those', async () => {
    const tokens = new Map<string, CancellationToken>();
    const { bridge, relay } = setup({
      sidecar: {
        request: (_method, params, token) =>
          new Promise((resolve) => {
            tokens.set((params as { prompt: string }).prompt, token!);
            token!.onCancellationRequested(() => resolve({ cancelled: true }));
          }),
      },
    });
    relay.attach('other', () => {});
    bridge.receive('other', { type: 'ready', channels: {} });
    bridge.receive('s', { type: 'invoke', callId: 1, command: 'generate_completion_stream', args: { prompt: 'closed', onEvent: { __channel__: 31 } } });
    bridge.receive('other', { type: 'invoke', callId: 1, command: 'generate_completion_stream', args: { prompt: 'open', onEvent: { __channel__: 32 } } });
    await settle();

    bridge.close('s');
    expect(tokens.get('closed')!.isCancellationRequested).toBe(true);
    expect(tokens.get('open')!.isCancellationRequested).toBe(false);
    expect(relay.isOpen(31)).toBe(false);
    expect(relay.isOpen(32)).toBe(true);
  });

  it('logs malformed messages instead of throwing', () => {
    const { bridge, errors } = setup();
    bridge.receive('s', { type: 'nonsense' });
    bridge.receive('s', null);
    expect(errors).toHaveLength(2);
  });
});
