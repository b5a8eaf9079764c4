// The `think` param a completion is sent with, as the sidecar's model details say the model takes
// it: off when the model cannot think, a level for models that always reason (gpt-oss), a level
// while on for level models (Claude's budget, reasoning effort), on/off otherwise.
import { describe, expect, it } from 'vitest';
import { alwaysThinks, canThink, session, takesThinkLevel, thinkParam, type SessionState } from '../../../webview/session/session';
import type { ChatSettings } from '../../../src/protocol/webviewMessages';
import type { ModelDetails } from '../../../webview/chat/types';

const settings = (provider: ChatSettings['provider'], model: string) => ({ ...session.get().settings, provider, model }) as ChatSettings;

function details(provider: ModelDetails['provider'], id: string, thinking: ModelDetails['thinking']): ModelDetails {
  return { id, provider, capabilities: thinking === 'none' ? ['completion'] : ['completion', 'thinking'], capabilitiesKnown: true, thinking, source: 'test', notes: [] };
}

function state(model: ModelDetails, think: boolean, thinkLevel: SessionState['thinkLevel'] = 'medium'): SessionState {
  const label = model.id;
  return { ...session.get(), settings: settings(model.provider, model.id), models: [{ id: model.id, label, capabilities: model.capabilities }], modelDetails: model, think, thinkLevel };
}

describe('thinkParam', () => {
  it('is off for a model that cannot think, whatever the toggle says', () => {
    const llava = details('ollama', 'llava:7b', 'none');
    expect(thinkParam(state(llava, true, 'high'))).toBe(false);
    expect(canThink(state(llava, true))).toBe(false);
    expect(takesThinkLevel(state(llava, true))).toBe(false);
  });

  it('is on/off for toggle models', () => {
    const qwen = details('ollama', 'qwen3:8b', 'toggle');
    expect(thinkParam(state(qwen, true, 'high'))).toBe(true);
    expect(thinkParam(state(qwen, false))).toBe(false);
    expect(takesThinkLevel(state(qwen, true))).toBe(false);
  });

  it('sends a model that always reasons the chosen level, and "low" with Thinking off', () => {
    const gptOss = details('ollama', 'gpt-oss:20b', 'always_levels');
    expect(thinkParam(state(gptOss, true, 'high'))).toBe('high');
    expect(thinkParam(state(gptOss, false, 'high'))).toBe('low');
    expect(takesThinkLevel(state(gptOss, false))).toBe(true);
    expect(alwaysThinks(state(gptOss, false))).toBe(true);
  });

  it('sends level models the level while on, and nothing with Thinking off', () => {
    for (const model of [details('anthropic', 'claude-sonnet-4-5', 'levels'), details('openai', 'o4-mini', 'levels')]) {
      expect(thinkParam(state(model, true, 'low'))).toBe('low');
      expect(thinkParam(state(model, false, 'low'))).toBe(false);
    }
  });

  it('offers nothing until the sidecar answered about the selected model', () => {
    const stale = { ...state(details('ollama', 'qwen3:8b', 'toggle'), true), settings: settings('ollama', 'llama3.2') };
    expect(canThink(stale)).toBe(false);
    expect(thinkParam(stale)).toBe(false);
  });
});
