// Turns provider and host errors into what the chat shows once: the cause, the fix, and the buttons
// and docs link that act on it (error cards, the empty state, the notice above the composer).
import type { ChatSettings, Provider } from '../../src/protocol/webviewMessages';

export interface Hint {
  text: string;
  /** An action the banner can offer. */
  action?: 'setApiKey' | 'retry' | 'refreshModels';
}

const PROVIDER_NAMES: Record<Provider, string> = { ollama: 'Ollama', openai: 'OpenAI-compatible server', anthropic: 'Anthropic' };

export function providerName(provider: Provider): string {
  return PROVIDER_NAMES[provider];
}

/**
 * Sidecar error codes whose message already says what happened and what to do ("Ollama is not
 * running at … — start it with `ollama serve` or change prototyper.ollama.host"): for these the
 * hint adds only the matching action button, never a second sentence saying the same thing.
 */
const SELF_EXPLAINING_CODES = new Set([
  'provider_unreachable', 'auth', 'model_not_found', 'rate_limited', 'server_error', 'bad_request',
  'malformed_response', 'empty_response', 'truncated_stream', 'idle_timeout', 'max_tool_calls', 'tools_unsupported', 'interrupted',
  'overflow',
]);

/** A hint for an error's message and code, given the provider in use. */
export function hintFor(message: string, code: string | number | undefined, settings: ChatSettings | null): Hint | null {
  const hint = describe(message, code, settings);
  if (hint && typeof code === 'string' && SELF_EXPLAINING_CODES.has(code)) return { ...hint, text: '' };
  return hint;
}

function describe(message: string, code: string | number | undefined, settings: ChatSettings | null): Hint | null {
  const provider = settings?.provider ?? 'ollama';
  const text = message.toLowerCase();
  if (code === 'interrupted') {
    return { text: 'VS Code reloaded or the sidecar restarted while this answer streamed. Retry to ask again.', action: 'retry' };
  }
  if (code === 'overflow') {
    return { text: 'The panel was not taking in this answer for too long, so it was cut off. Retry to ask again.', action: 'retry' };
  }
  if (code === 'sidecar_exited') {
    return { text: 'The Prototyper sidecar stopped and is restarting. Retry in a moment; if it keeps failing, see the "Prototyper Sidecar" output.', action: 'retry' };
  }
  if (provider !== 'ollama' && settings && !settings.hasApiKey[provider]) {
    return { text: `No API key is set for ${providerName(provider)}.`, action: 'setApiKey' };
  }
  if (code === 'rate_limited' || /\b429\b|rate limit/.test(text)) {
    return { text: `${providerName(provider)} is rate-limiting requests. Wait a little, then Retry.`, action: 'retry' };
  }
  if (code === 'max_tool_calls') {
    return { text: 'The agent reached the tool call limit (prototyper.maxToolCalls). Retry to let it go on, or raise the limit.', action: 'retry' };
  }
  if (code === 'idle_timeout') {
    return { text: 'The model stopped sending anything. It may still be loading; Retry in a moment.', action: 'retry' };
  }
  if (code === 'auth' || /\b401\b|unauthori[sz]ed|invalid api key|authentication/.test(text)) {
    return { text: `${providerName(provider)} refused the API key. Set a valid key.`, action: 'setApiKey' };
  }
  if (code === 'provider_unreachable' || /connection refused|econnrefused|failed to connect|error sending request|connect error|not reachable|dns error|timed out/.test(text)) {
    if (provider === 'ollama') {
      const host = settings?.ollamaHost ?? 'http://localhost:11434';
      return { text: `Ollama is not reachable at ${host}. Start it (run \`ollama serve\` or open the Ollama app), or change the "prototyper.ollama.host" setting.`, action: 'retry' };
    }
    const host = provider === 'openai' ? settings?.openaiHost : settings?.anthropicHost;
    return { text: `${providerName(provider)} is not reachable${host ? ` at ${host}` : ''}. Check the "prototyper.${provider}.host" setting and your network.`, action: 'retry' };
  }
  if ((code === 'model_not_found' || /model .*not found|no such model|pull the model|404/.test(text)) && provider === 'ollama') {
    return { text: 'This model is not installed in Ollama. Pull it (`ollama pull <model>`) or pick another model.', action: 'refreshModels' };
  }
  if (code === -32015 || text.includes('permission not granted')) {
    return { text: 'This action is not allowed here (an untrusted workspace or a missing permission group).' };
  }
  if (code === 'tools_unsupported' || /does not support tools/.test(text)) {
    return { text: 'This model cannot use tools. Switch the mode to Chat only, or pick a model marked "tools".' };
  }
  return null;
}

/** A button an error card offers. */
export type ErrorAction =
  | { kind: 'retry' }
  | { kind: 'setApiKey' }
  | { kind: 'refreshModels' }
  | { kind: 'openSetting'; key: string; label: string }
  | { kind: 'showOutput' }
  | { kind: 'pullModel'; model: string };

/** One failure as the chat shows it, once: what happened, what to do, and the buttons for it. */
export interface ErrorView {
  cause: string;
  fix: string;
  actions: ErrorAction[];
  docs?: { label: string; url: string };
}

const DOCS: Record<string, { label: string; url: string }> = {
  ollamaDownload: { label: 'Install Ollama', url: 'https://ollama.com/download' },
  ollamaLibrary: { label: 'Ollama models', url: 'https://ollama.com/library' },
  ollamaTools: { label: 'Models with tools', url: 'https://ollama.com/search?c=tools' },
  openaiKeys: { label: 'OpenAI API keys', url: 'https://platform.openai.com/api-keys' },
  anthropicKeys: { label: 'Anthropic API keys', url: 'https://console.anthropic.com/settings/keys' },
  openaiLimits: { label: 'OpenAI rate limits', url: 'https://platform.openai.com/docs/guides/rate-limits' },
  anthropicLimits: { label: 'Anthropic rate limits', url: 'https://docs.anthropic.com/en/api/rate-limits' },
};

const HOST_SETTINGS: Record<Provider, string> = { ollama: 'prototyper.ollama.host', openai: 'prototyper.openai.host', anthropic: 'prototyper.anthropic.host' };

/**
 * Describes an error for its one card. The sidecar's messages read "what happened — what to do";
 * they are split there, and a hint fills in the fix only for messages that do not say it.
 */
export function describeError(message: string, code: string | number | undefined, settings: ChatSettings | null): ErrorView {
  const provider = settings?.provider ?? 'ollama';
  const split = message.indexOf(' — ');
  const cause = (split >= 0 ? message.slice(0, split) : message).trim();
  const hint = hintFor(message, code, settings);
  const fix = split >= 0 ? capitalize(message.slice(split + 3).trim()) : hint?.text ?? '';
  const actions: ErrorAction[] = [];
  let docs: ErrorView['docs'];
  if (hint?.action === 'retry') actions.push({ kind: 'retry' });
  if (hint?.action === 'setApiKey' || code === 'auth') actions.push({ kind: 'setApiKey' });
  const pulled = /ollama pull ([\w.:/-]+)/.exec(message)?.[1];
  if (code === 'model_not_found' && provider === 'ollama' && pulled && pulled !== '<model>') actions.push({ kind: 'pullModel', model: pulled });
  if (hint?.action === 'refreshModels') actions.push({ kind: 'refreshModels' });
  if (code === 'provider_unreachable' || (hint?.action === 'retry' && /not (running|reachable)|cannot reach/i.test(message))) {
    actions.push({ kind: 'openSetting', key: HOST_SETTINGS[provider], label: 'Open Setting' });
    if (provider === 'ollama' && !settings?.ollamaHost.startsWith('https://ollama.com')) docs = DOCS.ollamaDownload;
  }
  if (code === 'max_tool_calls') actions.push({ kind: 'openSetting', key: 'prototyper.maxToolCalls', label: 'Raise the Limit' });
  if (code === 'idle_timeout') actions.push({ kind: 'openSetting', key: 'prototyper.idleTimeoutSeconds', label: 'Wait Longer' });
  if (code === 'sidecar_exited') actions.push({ kind: 'showOutput' });
  if (code === 'auth' || hint?.action === 'setApiKey') docs = provider === 'openai' ? DOCS.openaiKeys : provider === 'anthropic' ? DOCS.anthropicKeys : undefined;
  if (code === 'rate_limited') docs = provider === 'openai' ? DOCS.openaiLimits : provider === 'anthropic' ? DOCS.anthropicLimits : undefined;
  if (code === 'model_not_found' && provider === 'ollama') docs = DOCS.ollamaLibrary;
  if (code === 'tools_unsupported' && provider === 'ollama') docs = DOCS.ollamaTools;
  return { cause, fix, actions: dedupe(actions), docs };
}

function capitalize(text: string): string {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

function dedupe(actions: ErrorAction[]): ErrorAction[] {
  const seen = new Set<string>();
  return actions.filter((action) => {
    const key = JSON.stringify(action);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
