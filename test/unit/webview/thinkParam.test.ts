// The `think` param a completion is sent with, per provider and model: off when the model cannot
// think, a level for gpt-oss (which cannot stop reasoning) and for Claude's budget, on/off otherwise.
import { describe, expect, it } from 'vitest';
import { session, takesThinkLevel, thinkParam, type SessionState } from '../../../webview/session/session';
import type { ChatSettings } from '../../../src/protocol/webviewMessages';
import type { ModelInfo } from '../../../webview/chat/types';

const settings = (provider: ChatSettings['provider'], model: string) => ({ ...session.get().settings, provider, model }) as ChatSettings;
const qwen: ModelInfo = { id: 'qwen3:8b', label: 'qwen3:8b', capabilities: ['tools', 'thinking'], family: 'qwen3' };
const gptOss: ModelInfo = { id: 'gpt-oss:20b', label: 'gpt-oss:20b', capabilities: ['tools', 'thinking'], family: 'gptoss' };
const llava: ModelInfo = { id: 'llava:7b', label: 'llava:7b', capabilities: ['vision'], family: 'llama' };
const claude: ModelInfo = { id: 'claude-sonnet-4', label: 'Claude Sonnet 4', capabilities: ['tools', 'thinking', 'vision'] };

function state(provider: ChatSettings['provider'], model: ModelInfo, think: boolean, thinkLevel: SessionState['thinkLevel'] = 'medium'): SessionState {
  return { ...session.get(), settings: settings(provider, model.id), models: [model], think, thinkLevel };
}

describe('thinkParam', () => {
  it('is off for a model that cannot think, whatever the toggle says', () => {
    expect(thinkParam(state('ollama', llava, true, 'high'))).toBe(false);
    expect(takesThinkLevel(state('ollama', llava, true))).toBe(false);
  });

  it('is on/off for Ollama models without levels', () => {
    expect(thinkParam(state('ollama', qwen, true, 'high'))).toBe(true);
    expect(thinkParam(state('ollama', qwen, false))).toBe(false);
    expect(takesThinkLevel(state('ollama', qwen, true))).toBe(false);
  });

  it('sends gpt-oss the chosen level, and "low" with Thinking off (it always reasons)', () => {
    expect(thinkParam(state('ollama', gptOss, true, 'high'))).toBe('high');
    expect(thinkParam(state('ollama', gptOss, false, 'high'))).toBe('low');
    expect(takesThinkLevel(state('ollama', gptOss, false))).toBe(true);
  });

  it("sends Claude the level as its budget, and nothing with Thinking off", () => {
    expect(thinkParam(state('anthropic', claude, true, 'low'))).toBe('low');
    expect(thinkParam(state('anthropic', claude, false, 'low'))).toBe(false);
  });
});
