// Pulling an Ollama model from the chat (the empty state, the model picker, the walkthrough):
// `pull_ollama_model` through a Channel, its progress as a fraction, Stop, and on success the
// model list refreshed with the new model selected.
import type { PullEvent } from '../../src/protocol/generated/PullEvent';
import { Channel, connection, invoke, type InvokeFailure } from '../ipc';
import { Store } from '../state/store';
import { refreshModels, selectModel, session } from './session';

export interface PullState {
  model: string;
  channelId: number;
  /** Ollama's words for the step ("pulling manifest", "pulling 8eeb52dfb3bb", "success"). */
  status: string;
  completed?: number;
  total?: number;
  error?: { message: string; code?: string | number };
  done: boolean;
  stopping: boolean;
}

/** Small models with tools that run on a laptop, offered when Ollama has none. */
export const SUGGESTED_MODELS: readonly { name: string; note: string }[] = [
  { name: 'qwen3:8b', note: 'tools and thinking, 5.2 GB' },
  { name: 'llama3.2:3b', note: 'tools, 2.0 GB' },
  { name: 'qwen2.5-coder:7b', note: 'tools, code, 4.7 GB' },
];

export const pull = new Store<PullState | null>(null);

const update = (change: Partial<PullState>) => pull.update((p) => (p ? { ...p, ...change } : p));

/** Starts pulling `model`; a pull already running is left alone. */
export function startPull(model: string): void {
  const name = model.trim();
  const current = pull.get();
  if (!name || (current && !current.done && !current.error)) return;
  const channel = new Channel<PullEvent>();
  pull.set({ model: name, channelId: channel.id, status: 'starting', done: false, stopping: false });
  session.update((s) => ({ ...s, pullOpen: true }));
  channel.onmessage = (event) => {
    if (pull.get()?.channelId !== channel.id) return;
    if (event.event === 'Progress') update({ status: event.data.status, completed: event.data.completed ?? undefined, total: event.data.total ?? undefined });
    else if (event.event === 'Error') update({ error: { message: event.data.message, code: event.data.code ?? undefined }, stopping: false });
    else void finished(name, channel.id);
  };
  invoke('pull_ollama_model', { provider: 'ollama', model: name, onEvent: channel }).catch((error: InvokeFailure) => {
    if (pull.get()?.channelId === channel.id && !pull.get()?.done) update({ error: { message: error.message, code: error.code } });
    connection().release(channel.id);
  });
}

async function finished(name: string, channelId: number): Promise<void> {
  update({ done: true, status: 'success', completed: pull.get()?.total });
  await refreshModels();
  const models = session.get().models;
  const pulled = models.find((m) => m.id === name || m.id === `${name}:latest`);
  if (pulled && pull.get()?.channelId === channelId) await selectModel(pulled.id);
}

/** Stops the running pull; Ollama keeps what it downloaded, so pulling again resumes. */
export function stopPull(): void {
  const current = pull.get();
  if (!current || current.done || current.error) return;
  update({ stopping: true });
  void invoke('stop_generation_stream', { requestId: current.channelId }).catch(() => update({ stopping: false }));
}

/** Forgets a finished or failed pull (its panel closes). */
export function clearPull(): void {
  const current = pull.get();
  if (current && !current.done && !current.error) return;
  pull.set(null);
}

/** 0–1 for the progress bar, or undefined while Ollama has not said how big the download is. */
export function pullFraction(state: PullState): number | undefined {
  if (state.done) return 1;
  if (!state.total || state.completed === undefined) return undefined;
  return Math.max(0, Math.min(1, state.completed / state.total));
}
