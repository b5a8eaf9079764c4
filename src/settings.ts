// Reads and writes the `prototyper.*` settings: what the chat shows and sends, the provider hosts
// the host fills into AI commands, and the few settings the webview may change.
import * as vscode from 'vscode';
import type { ChatSettings, Provider, ToolPermissionMode } from './protocol/webviewMessages';

export const SECTION = 'prototyper';

export const PROVIDERS: readonly Provider[] = ['ollama', 'openai', 'anthropic'];
export const PERMISSION_MODES: readonly ToolPermissionMode[] = ['ask_every_time', 'auto_accept_read_only', 'auto_accept_all'];

const DEFAULT_HOSTS: Record<Provider, string> = {
  ollama: 'http://localhost:11434',
  openai: 'https://api.openai.com',
  anthropic: 'https://api.anthropic.com',
};

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

export function providerHost(provider: Provider): string {
  const value = config().get<string>(`${provider}.host`, DEFAULT_HOSTS[provider]).trim();
  return (value || DEFAULT_HOSTS[provider]).replace(/\/+$/, '');
}

export function allProviderHosts(): string[] {
  return PROVIDERS.map(providerHost);
}

export const PACKAGE_MANAGERS = ['auto', 'bun', 'npm', 'pnpm'] as const;

/** `prototyper.packageManager`: auto (bun when installed, else npm), bun, npm or pnpm. */
export function packageManager(): (typeof PACKAGE_MANAGERS)[number] {
  const value = config().get<string>('packageManager', 'auto');
  return (PACKAGE_MANAGERS as readonly string[]).includes(value) ? (value as (typeof PACKAGE_MANAGERS)[number]) : 'auto';
}

export function sidecarPathSetting(): string {
  return config().get<string>('sidecar.path', '').trim();
}

export function timeouts(): { permissionTimeoutSeconds: number; askUserTimeoutSeconds: number; idleTimeoutSeconds: number } {
  const c = config();
  return {
    permissionTimeoutSeconds: c.get<number>('permissionTimeoutSeconds', 300),
    askUserTimeoutSeconds: c.get<number>('askUserTimeoutSeconds', 180),
    idleTimeoutSeconds: c.get<number>('idleTimeoutSeconds', 60),
  };
}

/** The settings the chat UI needs; `hasApiKey` comes from SecretStorage (keys themselves never leave the host). */
export function readChatSettings(hasApiKey: Record<Provider, boolean>): ChatSettings {
  const c = config();
  const provider = c.get<string>('provider', 'ollama');
  const mode = c.get<string>('toolPermissionMode', 'ask_every_time');
  return {
    provider: (PROVIDERS as readonly string[]).includes(provider) ? (provider as Provider) : 'ollama',
    model: c.get<string>('model', ''),
    ollamaHost: providerHost('ollama'),
    openaiHost: providerHost('openai'),
    anthropicHost: providerHost('anthropic'),
    toolPermissionMode: (PERMISSION_MODES as readonly string[]).includes(mode) ? (mode as ToolPermissionMode) : 'ask_every_time',
    toolAllowlist: c.get<string[]>('toolAllowlist', []).filter((tool) => typeof tool === 'string'),
    maxToolCalls: c.get<number>('maxToolCalls', 20),
    toolsEnabled: c.get<boolean>('toolsEnabled', true),
    workspaceTrusted: vscode.workspace.isTrusted,
    hasApiKey,
    locale: systemLocale(),
  };
}

/**
 * The user's locale for dates and numbers: the extension host's default, which follows the
 * system's regional format (LANG, or the Windows region), where a webview only knows its UI language.
 */
export function systemLocale(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().locale;
  } catch {
    return undefined;
  }
}

/**
 * The settings the webview may change, under either their setting name or their `ChatSettings`
 * name, each with a validator. Hosts, the sidecar path and the package manager are deliberately
 * absent: a webview (which renders model output) must not be able to redirect API keys or choose
 * which binary runs.
 */
const WEBVIEW_WRITABLE: Record<string, { key: string; valid(value: unknown): boolean; hint: string }> = {
  provider: { key: 'provider', valid: (v) => PROVIDERS.includes(v as Provider), hint: '"ollama", "openai" or "anthropic"' },
  model: { key: 'model', valid: (v) => typeof v === 'string', hint: 'a string' },
  toolPermissionMode: { key: 'toolPermissionMode', valid: (v) => PERMISSION_MODES.includes(v as ToolPermissionMode), hint: PERMISSION_MODES.join(', ') },
  toolsEnabled: { key: 'toolsEnabled', valid: (v) => typeof v === 'boolean', hint: 'true or false' },
  maxToolCalls: { key: 'maxToolCalls', valid: (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 1000, hint: 'an integer from 1 to 1000' },
  toolAllowlist: { key: 'toolAllowlist', valid: (v) => Array.isArray(v) && v.every((t) => typeof t === 'string'), hint: 'a list of tool names' },
};

export class SettingError extends Error {
  readonly code = -32602;
}

/** Changes one setting the webview may change; writes where the current value comes from. */
export async function updateSettingFromWebview(name: string, value: unknown): Promise<void> {
  const entry = WEBVIEW_WRITABLE[name];
  if (!entry) {
    throw new SettingError(`The chat cannot change "${name}". It may change: ${Object.keys(WEBVIEW_WRITABLE).join(', ')}. Other settings are in VS Code's Settings (prototyper.*).`);
  }
  if (!entry.valid(value)) throw new SettingError(`"${name}" must be ${entry.hint}.`);
  await writeSetting(entry.key, value);
}

/** Appends `tool` to `prototyper.toolAllowlist` (Always Allow), persisted in settings.json. */
export async function allowTool(tool: string): Promise<void> {
  const list = config().get<string[]>('toolAllowlist', []);
  if (list.includes(tool)) return;
  await writeSetting('toolAllowlist', [...list, tool]);
}

/**
 * Writes to the scope the effective value comes from (a workspace value would otherwise shadow
 * a user-level write and the change would seem ignored); user settings when nothing is set.
 */
async function writeSetting(key: string, value: unknown): Promise<void> {
  const inspected = config().inspect(key);
  const target =
    inspected?.workspaceFolderValue !== undefined
      ? vscode.ConfigurationTarget.WorkspaceFolder
      : inspected?.workspaceValue !== undefined
        ? vscode.ConfigurationTarget.Workspace
        : vscode.ConfigurationTarget.Global;
  await config().update(key, value, target);
}
