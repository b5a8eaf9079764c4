// Under each answer: time to first token, tokens per second (with "~" when the counts are the
// sidecar's estimate because the server sent none), the time the model worked (waits for the user
// left out), a context meter (the last turn's prompt against the context window), a warning when
// the prompt was truncated to the context window (Ollama does this silently), and the sidecar's
// warning when tools were ignored.
import type { ChatMessage } from '../chat/types';
import { session } from '../session/session';
import { useStore } from '../state/store';

/** Below this many generated tokens a rate is noise (one chunk more or less halves it). */
const MIN_TOKENS_FOR_RATE = 20;

export function UsageLine({ message }: { message: ChatMessage }) {
  const usage = message.usage;
  const listedContext = useStore(session, (s) => (message.provider === s.settings?.provider ? s.models.find((m) => m.id === message.model)?.contextLength : undefined));
  const ttft = usage?.timeToFirstTokenMs ?? (message.firstTokenAt && message.startedAt ? message.firstTokenAt - message.startedAt : undefined);
  if (!usage && ttft === undefined && !message.warning) return null;
  const about = usage?.estimated ? '~' : '';
  const items: string[] = [];
  if (ttft !== undefined) items.push(`${formatMs(ttft)} to first token`);
  if (usage?.tokensPerSecond && usage.completionTokens >= MIN_TOKENS_FOR_RATE) items.push(`${about}${usage.tokensPerSecond.toFixed(1)} tok/s`);
  if (usage?.completionTokens) items.push(`${about}${usage.completionTokens.toLocaleString()} tokens`);
  const waited = message.waitedMs ?? 0;
  const working = usage?.totalDurationMs ? Math.max(0, usage.totalDurationMs - waited) : 0;
  if (working) items.push(`${formatMs(working)} total`);
  const contextLength = usage?.contextLength ?? listedContext;
  const notes = [usage?.estimated ? 'Estimated: the server did not report token counts' : '', waited >= 1000 ? `Not counting ${formatMs(waited)} waiting for your answers` : ''];
  const conversation = usage?.promptTokens !== undefined ? `The conversation (${usage.promptTokens.toLocaleString()} tokens)` : 'The conversation';
  return (
    <div class="usage">
      <span class="usage-figures" title={notes.filter(Boolean).join('. ') || undefined}>
        {items.join(' · ')}
      </span>
      {usage && <ContextMeter promptTokens={usage.promptTokens} contextLength={contextLength} truncated={usage.truncated} />}
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

/** How full the context window was for the last turn: a bar and the figures, amber from 80 %. */
export function ContextMeter({ promptTokens, contextLength, truncated }: { promptTokens?: number; contextLength?: number; truncated: boolean }) {
  if (!promptTokens || !contextLength) return null;
  const fraction = promptTokens / contextLength;
  const percent = Math.min(100, Math.round(fraction * 100));
  const level = truncated || fraction >= 1 ? 'full' : fraction >= 0.8 ? 'high' : 'ok';
  const label = `Context: ${promptTokens.toLocaleString()} of ${contextLength.toLocaleString()} tokens (${percent}%)`;
  return (
    <div class={`context-meter ${level}`} title={label}>
      <div class="meter-track" role="meter" aria-label="Context used" aria-valuemin={0} aria-valuemax={contextLength} aria-valuenow={Math.min(promptTokens, contextLength)} aria-valuetext={label}>
        <div class="meter-fill" style={{ width: `${percent}%` }} />
      </div>
      <span class="meter-text">
        {compact(promptTokens)} / {compact(contextLength)} context
      </span>
    </div>
  );
}

function compact(tokens: number): string {
  return tokens >= 1000 ? `${(tokens / 1000).toFixed(tokens >= 10_000 ? 0 : 1)}k` : String(tokens);
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
