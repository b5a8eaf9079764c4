// Under each answer: time to first token, tokens per second, and a warning when the prompt was
// truncated to the context window (Ollama does this silently).
import type { ChatMessage } from '../chat/types';

export function UsageLine({ message }: { message: ChatMessage }) {
  const usage = message.usage;
  const ttft = usage?.timeToFirstTokenMs ?? (message.firstTokenAt && message.startedAt ? message.firstTokenAt - message.startedAt : undefined);
  if (!usage && ttft === undefined) return null;
  const items: string[] = [];
  if (ttft !== undefined) items.push(`${formatMs(ttft)} to first token`);
  if (usage?.tokensPerSecond) items.push(`${usage.tokensPerSecond.toFixed(1)} tok/s`);
  if (usage?.completionTokens) items.push(`${usage.completionTokens.toLocaleString()} tokens`);
  if (usage?.totalDurationMs) items.push(`${formatMs(usage.totalDurationMs)} total`);
  return (
    <div class="usage">
      <span class="usage-figures">{items.join(' · ')}</span>
      {usage?.truncated && (
        <div class="usage-warning" role="alert">
          <span class="codicon codicon-warning" aria-hidden="true" /> The conversation ({usage.promptTokens.toLocaleString()} tokens) did not fit the context window
          {usage.contextLength ? ` of ${usage.contextLength.toLocaleString()} tokens` : ''}; the model did not see all of it. Start a new chat, or raise numCtx in the options.
        </div>
      )}
    </div>
  );
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
