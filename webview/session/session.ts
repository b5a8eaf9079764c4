// The header's state and actions: settings, the model list per provider with capabilities,
// presets and options, thinking, tools and permission mode, the composer's draft and attachments.
// What a model can do and how Thinking works for it come from the sidecar (`get_model_info`):
// the webview keeps no provider rules of its own.
import type { Attachment, ChatSettings, ChatSummary, HostEvent, Provider, SidecarState, ToolPermissionMode } from '../../src/protocol/webviewMessages';
import { invoke } from '../ipc';
import { Store } from '../state/store';
import { MAX_IMAGES, readImage } from './images';
import type { ModelDetails, ModelInfo, ModelOptions, ModelPreset } from '../chat/types';

export interface SessionState {
  settings: ChatSettings | null;
  sidecar: { state: SidecarState; message?: string };
  models: ModelInfo[];
  modelsLoading: boolean;
  /** The provider whose list `models` is (null until one answered): an empty list then means "no models". */
  modelsLoadedFor: Provider | null;
  modelsError: { message: string; code?: string | number } | null;
  /** The sidecar's answer about the selected model; null until it came (or when it failed). */
  modelDetails: ModelDetails | null;
  /** The model last used with each provider, so switching back and forth keeps both choices. */
  modelByProvider: Partial<Record<Provider, string>>;
  presets: ModelPreset[];
  presetId: string | null;
  /** Options in use: the chosen preset's, with the user's edits. */
  options: ModelOptions;
  think: boolean;
  /** How hard a model that takes a level thinks (gpt-oss; Claude's thinking budget). */
  thinkLevel: ThinkLevel;
  draft: string;
  attachments: Attachment[];
  historyOpen: boolean;
  chats: ChatSummary[];
  /** Bumped to ask the composer to take focus. */
  focusTick: number;
  /** The "pull a model" panel above the composer is open. */
  pullOpen: boolean;
}

/** What survives a reload of the webview (the rest is asked from the host again). */
export type SessionSnapshot = Pick<SessionState, 'presetId' | 'options' | 'think' | 'thinkLevel' | 'draft' | 'attachments' | 'modelByProvider'>;

export type ThinkLevel = 'low' | 'medium' | 'high';
export const THINK_LEVELS: readonly ThinkLevel[] = ['low', 'medium', 'high'];

export const session = new Store<SessionState>({
  settings: null,
  sidecar: { state: 'starting' },
  models: [],
  modelsLoading: false,
  modelsLoadedFor: null,
  modelsError: null,
  modelDetails: null,
  modelByProvider: {},
  presets: [],
  presetId: null,
  options: {},
  think: false,
  thinkLevel: 'medium',
  draft: '',
  attachments: [],
  historyOpen: false,
  chats: [],
  focusTick: 0,
  pullOpen: false,
});

const patch = (change: Partial<SessionState>) => session.update((s) => ({ ...s, ...change }));

export function snapshot(): SessionSnapshot {
  const { presetId, options, think, thinkLevel, draft, attachments, modelByProvider } = session.get();
  return { presetId, options, think, thinkLevel, draft, attachments, modelByProvider };
}

export function restore(saved: Partial<SessionSnapshot> | undefined): void {
  if (!saved) return;
  const thinkLevel = THINK_LEVELS.includes(saved.thinkLevel as ThinkLevel) ? saved.thinkLevel : 'medium';
  patch({ ...saved, thinkLevel, attachments: saved.attachments ?? [], modelByProvider: saved.modelByProvider ?? {} });
}

/** The model entry for the selected model, when the list has it. */
export function currentModel(state = session.get()): ModelInfo | undefined {
  return state.models.find((m) => m.id === state.settings?.model);
}

/** The sidecar's details when they are about the selected model. */
function details(state: SessionState): ModelDetails | null {
  const d = state.modelDetails;
  return d && d.id === state.settings?.model && d.provider === state.settings?.provider ? d : null;
}

/** Whether the selected model can think, as the sidecar found out. */
export function canThink(state = session.get()): boolean {
  const thinking = details(state)?.thinking ?? 'none';
  return thinking !== 'none';
}

/** Whether the selected model takes a thinking level (gpt-oss, Claude's budget, reasoning effort). */
export function takesThinkLevel(state = session.get()): boolean {
  const thinking = details(state)?.thinking;
  return thinking === 'levels' || thinking === 'always_levels';
}

/** Whether the selected model always reasons (gpt-oss): Thinking off means the lowest level. */
export function alwaysThinks(state = session.get()): boolean {
  return details(state)?.thinking === 'always_levels';
}

/**
 * The `think` param of a completion, as the sidecar's details say the model takes it: off for
 * models that cannot think; a model that always reasons gets the chosen level with Thinking on
 * and "low" otherwise; level models get the level while on; the rest on/off.
 */
export function thinkParam(state = session.get()): boolean | ThinkLevel {
  switch (details(state)?.thinking ?? 'none') {
    case 'none':
      return false;
    case 'always_levels':
      return state.think ? state.thinkLevel : 'low';
    case 'levels':
      return state.think ? state.thinkLevel : false;
    case 'toggle':
      return state.think;
  }
}

/** Asks the sidecar what the selected model can do (capabilities, Thinking, context window). */
export async function refreshModelInfo(): Promise<void> {
  const settings = session.get().settings;
  if (!settings?.model) return;
  const { provider, model } = settings;
  try {
    const info = await invoke<ModelDetails>('get_model_info', { provider, model });
    const now = session.get().settings;
    if (now?.provider === provider && now.model === model) patch({ modelDetails: info });
  } catch {
    // The header then shows what the model list said; a stream still reports real faults.
    patch({ modelDetails: null });
  }
}

interface ListedModel { id: string; name?: string; displayName?: string; capabilities?: string[]; family?: string; contextLength?: number; parameterSize?: string }

const LIST_COMMANDS: Record<Provider, string> = { ollama: 'list_ollama_models', openai: 'list_openai_models', anthropic: 'list_anthropic_models' };

/** The provider's models with the capabilities the sidecar found for each. */
async function fetchModels(provider: Provider): Promise<ModelInfo[]> {
  const list = await invoke<ListedModel[]>(LIST_COMMANDS[provider], { provider });
  return list.map((m) => ({
    id: m.id ?? m.name,
    label: m.displayName || m.name || m.id,
    capabilities: m.capabilities ?? [],
    contextLength: m.contextLength,
    parameterSize: m.parameterSize,
    family: m.family,
  }));
}

export async function refreshModels(): Promise<void> {
  const provider = session.get().settings?.provider;
  if (!provider) return;
  patch({ modelsLoading: true, modelsError: null });
  try {
    const models = await fetchModels(provider);
    if (session.get().settings?.provider !== provider) return;
    patch({ models, modelsLoading: false, modelsLoadedFor: provider });
    const selected = session.get().settings?.model;
    if (models.length > 0 && (!selected || !models.some((m) => m.id === selected))) await selectModel(models[0].id);
    else void refreshModelInfo();
  } catch (error) {
    if (session.get().settings?.provider !== provider) return;
    const e = error as { message?: string; code?: number; data?: { kind?: string } };
    // The sidecar names the kind of provider failure (provider_unreachable, auth, …) in `data`.
    patch({ models: [], modelsLoading: false, modelsLoadedFor: null, modelsError: { message: e.message ?? String(error), code: e.data?.kind ?? e.code } });
  }
}

function applySettings(settings: ChatSettings): void {
  const before = session.get().settings;
  patch({ settings });
  if (!before || before.provider !== settings.provider || before.ollamaHost !== settings.ollamaHost || before.openaiHost !== settings.openaiHost || before.anthropicHost !== settings.anthropicHost) {
    void refreshModels();
  } else if (before.model !== settings.model) {
    void refreshModelInfo();
  }
}

async function updateSetting(key: keyof ChatSettings, value: unknown): Promise<void> {
  const settings = session.get().settings;
  if (settings) patch({ settings: { ...settings, [key]: value } });
  try {
    await invoke('update_setting', { key, value });
  } catch (error) {
    patch({ modelsError: { message: `Could not change ${key}: ${(error as Error).message}` } });
  }
}

/**
 * Switches provider and with it the model: the one last used with that provider, else the first
 * it lists. The previous provider's model is never kept (it would be sent to the wrong server).
 */
export async function selectProvider(provider: Provider): Promise<void> {
  const state = session.get();
  const settings = state.settings;
  if (!settings || settings.provider === provider) return;
  const modelByProvider = { ...state.modelByProvider, [settings.provider]: settings.model };
  const model = modelByProvider[provider] ?? '';
  patch({ models: [], modelsLoadedFor: null, modelsError: null, modelByProvider, settings: { ...settings, provider, model } });
  await updateSetting('provider', provider);
  await updateSetting('model', model);
  void refreshModels();
}

export async function selectModel(model: string): Promise<void> {
  const provider = session.get().settings?.provider;
  if (provider) patch({ modelByProvider: { ...session.get().modelByProvider, [provider]: model } });
  await updateSetting('model', model);
  await refreshModelInfo();
}
export const setToolsEnabled = (on: boolean) => updateSetting('toolsEnabled', on);
export const setPermissionMode = (mode: ToolPermissionMode) => updateSetting('toolPermissionMode', mode);
export const setThink = (think: boolean) => patch({ think });
export const setThinkLevel = (thinkLevel: ThinkLevel) => patch({ thinkLevel });

export function selectPreset(id: string | null): void {
  const preset = session.get().presets.find((p) => p.id === id);
  patch({ presetId: preset?.id ?? null, options: preset ? { ...preset.options } : {} });
}

export function setOption(key: keyof ModelOptions, value: number | undefined): void {
  const options = { ...session.get().options };
  if (value === undefined || Number.isNaN(value)) delete options[key];
  else options[key] = value;
  patch({ options });
}

/** Saves the options in use as a new user preset and selects it. */
export async function saveCurrentAsPreset(name: string): Promise<void> {
  const { presets, options } = session.get();
  const id = `user-${Date.now().toString(36)}`;
  const preset: ModelPreset = { id, name: name.trim() || 'My preset', description: 'Saved from the chat', options: { ...options } };
  const user = [...presets.filter((p) => !p.builtIn), preset];
  await invoke('save_model_presets', { presets: user });
  patch({ presets: [...presets, preset], presetId: id });
}

export async function loadPresets(): Promise<void> {
  try {
    const presets = await invoke<ModelPreset[]>('load_model_presets', {});
    patch({ presets });
  } catch {
    patch({ presets: [] });
  }
}

export function setDraft(draft: string): void {
  patch({ draft });
}

export function addAttachment(attachment: Attachment): void {
  const same = (a: Attachment) =>
    attachment.kind === 'image'
      ? a.kind === 'image' && a.data === attachment.data
      : a.path === attachment.path && a.startLine === attachment.startLine && a.endLine === attachment.endLine;
  patch({ attachments: [...session.get().attachments.filter((a) => !same(a)), attachment] });
}

/**
 * Attaches image files (pasted, dropped or picked). Returns what went wrong with the ones that
 * were not attached, one sentence each, naming the file and the fix.
 */
export async function attachImages(files: Array<Blob & { name?: string }>): Promise<string[]> {
  const problems: string[] = [];
  let index = session.get().attachments.filter((a) => a.kind === 'image').length;
  for (const file of files) {
    if (index >= MAX_IMAGES) {
      problems.push(`A message can carry at most ${MAX_IMAGES} images; send these first, then attach more.`);
      break;
    }
    try {
      addAttachment(await readImage(file, index + 1));
      index = session.get().attachments.filter((a) => a.kind === 'image').length;
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return problems;
}

/**
 * Why the selected model cannot take the attached images, or null: when the sidecar knows what
 * the model can do and seeing images is not among it (when nobody knows, the images are sent).
 */
export function imagesRefusedBy(state = session.get()): string | null {
  if (!state.attachments.some((a) => a.kind === 'image')) return null;
  const model = currentModel(state);
  const known = details(state);
  const capabilities = known?.capabilitiesKnown ? known.capabilities : model?.capabilities ?? [];
  if (!model || capabilities.length === 0 || capabilities.includes('vision')) return null;
  return `${model.label} cannot see images. Pick a model with vision, or remove the images.`;
}

export function removeAttachment(index: number): void {
  patch({ attachments: session.get().attachments.filter((_, i) => i !== index) });
}

export function clearComposer(): void {
  patch({ draft: '', attachments: [] });
}

export function focusComposer(): void {
  patch({ focusTick: session.get().focusTick + 1 });
}

export async function openHistory(open: boolean): Promise<void> {
  patch({ historyOpen: open });
  if (open) await refreshHistory();
}

/** Lists saved chats, newest first; with a query, only those whose title or messages contain it. */
export async function refreshHistory(query = ''): Promise<void> {
  try {
    const chats = await invoke<ChatSummary[]>('list_chats', query.trim() ? { query: query.trim() } : {});
    patch({ chats: [...chats].sort((a, b) => b.updatedAt - a.updatedAt) });
  } catch {
    patch({ chats: [] });
  }
}

/** Host pushes: settings, sidecar state, attachments, focus, history, pull. Chat events go to the chat. */
export function onSessionEvent(event: HostEvent): void {
  switch (event.kind) {
    case 'settings':
      applySettings(event.settings);
      break;
    case 'sidecarState': {
      const before = session.get();
      patch({ sidecar: { state: event.state, message: event.message } });
      // A (re)started sidecar answers what a stopped one could not.
      if (event.state === 'ready' && before.sidecar.state !== 'ready' && !before.modelsLoading && (before.modelsError || before.modelsLoadedFor === null)) void refreshModels();
      break;
    }
    case 'showHistory':
      void openHistory(!session.get().historyOpen);
      break;
    case 'pullModel':
      patch({ pullOpen: true, historyOpen: false });
      break;
    case 'attach':
      addAttachment(event.attachment);
      focusComposer();
      break;
    case 'focusInput':
      focusComposer();
      break;
    default:
      break;
  }
}

export async function initSession(): Promise<void> {
  void loadPresets();
  try {
    applySettings(await invoke<ChatSettings>('get_settings', {}));
  } catch (error) {
    patch({ modelsError: { message: `Could not read settings: ${(error as Error).message}` } });
  }
}

/** Runs one of the extension's own commands the chat may start (the host keeps the list). */
export function runPrototyperCommand(command: string): void {
  void invoke('run_command', { command }).catch((error: Error) => patch({ modelsError: { message: error.message } }));
}

export function setPullOpen(pullOpen: boolean): void {
  patch({ pullOpen });
}

/** Where the chat stands before a message can be sent, for the empty state and the composer. */
export type Readiness =
  | { kind: 'starting' }
  | { kind: 'sidecar'; state: SidecarState; message?: string }
  | { kind: 'needsKey'; provider: Provider }
  | { kind: 'unreachable'; message: string; code?: string | number }
  | { kind: 'noModels'; provider: Provider }
  | { kind: 'ready' };

export function readiness(state = session.get()): Readiness {
  const { settings, sidecar } = state;
  if (sidecar.state === 'crashed' || sidecar.state === 'stopped') return { kind: 'sidecar', state: sidecar.state, message: sidecar.message };
  if (!settings) return { kind: 'starting' };
  if (settings.provider !== 'ollama' && !settings.hasApiKey[settings.provider]) return { kind: 'needsKey', provider: settings.provider };
  if (state.modelsError) return { kind: 'unreachable', message: state.modelsError.message, code: state.modelsError.code };
  if (state.modelsLoadedFor !== settings.provider) return { kind: 'starting' };
  if (state.models.length === 0) return { kind: 'noModels', provider: settings.provider };
  return { kind: 'ready' };
}

export function setApiKey(): void {
  const provider = session.get().settings?.provider;
  if (provider) void invoke('set_api_key', { provider }).then(() => refreshModels(), () => {});
}
