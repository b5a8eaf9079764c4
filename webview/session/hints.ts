// Turns provider and host errors into a sentence that says what to do, for banners and the header.
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
    return { text: 'This model cannot use tools. Turn tools off in the header, or pick a model with the "tools" badge.' };
  }
  return null;
}
