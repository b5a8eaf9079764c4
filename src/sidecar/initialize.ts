// How the host builds the `initialize` params (ARCHITECTURE.md, "The wire") from settings, so the
// supervisor stays free of VS Code. The shapes are the sidecar's, generated from Rust by ts-rs.
import type { InitializeParams, InitializeResult, PackageManager } from '../protocol/generated';

export type { InitializeParams, InitializeResult, PackageManager };

const PACKAGE_MANAGERS: readonly PackageManager[] = ['auto', 'bun', 'npm', 'pnpm'];

/** The protocol this host speaks; the sidecar refuses any other (and so does the host). */
export const PROTOCOL_VERSION = 1;

export interface InitializeInputs {
  storageDir: string;
  workspaceRoot: string | null;
  workspaceTrusted: boolean;
  /** The configured provider base URLs (Ollama, OpenAI, Anthropic). */
  providerHosts: string[];
  packageManager: string;
  /** The host answers `editor/readDocument` and `editor/applyEdit` (see `src/edits/`). */
  editorDocuments?: boolean;
}

export function buildInitializeParams(inputs: InitializeInputs): InitializeParams {
  return {
    protocolVersion: PROTOCOL_VERSION,
    storageDir: inputs.storageDir,
    workspaceRoot: inputs.workspaceRoot,
    capabilities: {
      workspaceTrusted: inputs.workspaceTrusted,
      allowedHosts: allowedHosts(inputs.providerHosts),
      packageManager: PACKAGE_MANAGERS.includes(inputs.packageManager as PackageManager) ? (inputs.packageManager as PackageManager) : 'auto',
      editorDocuments: inputs.editorDocuments === true,
    },
  };
}

/**
 * `host:port` of each configured provider URL, with the scheme's default port written out, so
 * the sidecar can let exactly these private/loopback servers through (a local Ollama) and no
 * other. URLs that do not parse are left out: the provider call then fails with its own message.
 */
export function allowedHosts(urls: string[]): string[] {
  const hosts = new Set<string>();
  for (const raw of urls) {
    let url: URL;
    try {
      url = new URL(raw.trim());
    } catch {
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    hosts.add(`${url.hostname}:${port}`);
  }
  return [...hosts];
}
