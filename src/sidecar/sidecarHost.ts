// Builds the supervisor for the extension: the binary from settings or the extension folder, the
// `initialize` params from the workspace, trust and settings, and the "Prototyper Sidecar" output.
import * as vscode from 'vscode';
import { allProviderHosts, packageManager, sidecarPathSetting } from '../settings';
import { resolveSidecar } from './binary';
import { buildInitializeParams } from './initialize';
import { SidecarSupervisor, type SupervisorLogger } from './supervisor';
import { editorRequestHandlers } from '../edits/editorDocuments';

export function outputLogger(output: vscode.OutputChannel): SupervisorLogger {
  const stamp = () => new Date().toISOString().slice(11, 23);
  const append = (line: string) => {
    try {
      output.appendLine(line);
    } catch {
      // VS Code disposes the channel when it shuts the extension down, before the sidecar's last
      // lines (its exit) arrive; those have nowhere to go.
    }
  };
  return {
    info: (message) => append(`[host ${stamp()}] ${message}`),
    error: (message) => append(`[host ${stamp()}] ERROR ${message}`),
    // The sidecar's own log lines, as it wrote them.
    stderr: (line) => append(line),
  };
}

export function createSidecarSupervisor(context: vscode.ExtensionContext, logger: SupervisorLogger): SidecarSupervisor {
  const workspaceRoot = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? null;
  return new SidecarSupervisor({
    launch: async () => {
      const resolved = await resolveSidecar({ configuredPath: sidecarPathSetting(), extensionPath: context.extensionUri.fsPath });
      return { command: resolved.path, args: [], version: resolved.version, description: `${resolved.path} (${resolved.origin})` };
    },
    // Read at every start: trust granted later, or changed hosts, apply to the next process.
    initializeParams: () =>
      buildInitializeParams({
        storageDir: context.globalStorageUri.fsPath,
        workspaceRoot: workspaceRoot(),
        workspaceTrusted: vscode.workspace.isTrusted,
        providerHosts: allProviderHosts(),
        packageManager: packageManager(),
        editorDocuments: true,
      }),
    // The agent reads and edits open documents through VS Code's editors (src/edits/).
    requestHandlers: editorRequestHandlers,
    logger,
    cwd: workspaceRoot() ?? context.extensionUri.fsPath,
  });
}
