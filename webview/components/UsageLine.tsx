// Under each answer: time to first token, tokens per second (with "~" when the counts are the
// sidecar's estimate because the server sent none), a warning when the prompt was truncated to the
// context window (Ollama does this silently), and the sidecar's warning when tools were ignored.
import type { ChatMessage } from '../chat/types';

export function UsageLine({ message }: { message: ChatMessage }) {
  const usage = message.usage;
  const ttft = usage?.timeToFirstTokenMs ?? (message.firstTokenAt && message.startedAt ? message.firstTokenAt - message.startedAt : undefined);
  if (!usage && ttft === undefined && !message.warning) return null;
  const about = usage?.estimated ? '~' : '';
  const items: string[] = [];
  if (ttft !== undefined) items.push(`${formatMs(ttft)} to first token`);
  if (usage?.tokensPerSecond) items.push(`${about}${usage.tokensPerSecond.toFixed(1)} tok/s`);
  if (usage?.completionTokens) items.push(`${about}${usage.completionTokens.toLocaleString()} tokens`);
  if (usage?.totalDurationMs) items.push(`${formatMs(usage.totalDurationMs)} total`);
  const conversation = usage?.promptTokens !== undefined ? `The conversation (${usage.promptTokens.toLocaleString()} tokens)` : 'The conversation';
  return (
    <div class="usage">
      <span class="usage-figures" title={usage?.estimated ? 'Estimated: the server did not report token counts' : undefined}>
        {items.join(' · ')}
      </span>
      {usage?.truncated && (
        <div class="usage-warning" role="alert">
          <span class="codicon codicon-warning" aria-hidden="true" /> {conversation} did not fit the context window
          {usage.contextLength ? ` of ${usage.contextLength.toLocaleString()} tokens` : ''}; the model did not see all of it. Start a new chat, or raise numCtx in the options.
        </div>
      )}
      {message.warning && (
        <div class="usage-warning tools-ignored" role="alert">
          <span class="codicon codicon-warning" aria-hidden="true" /> {message.warning}
        </div>
      )}
    </div>
  );
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
