// "Prototyper: Export Project…" and "Export Component…" (also in the explorer's context menu on a
// .tsx file): a save dialog for the zip, the export in the sidecar with a progress notification,
// then a notification that reveals the zip. What goes into the zip is the sidecar's business
// (`sidecar/src/commands/export/`).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SidecarSupervisor } from '../sidecar/supervisor';

type Sidecar = Pick<SidecarSupervisor, 'request'>;

export function registerExport(sidecar: Sidecar): vscode.Disposable[] {
  const register = (id: string, run: (...args: never[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: never[]) => {
      try {
        await run(...args);
      } catch (error) {
        void vscode.window.showErrorMessage(`Prototyper: the export failed: ${(error as Error).message ?? String(error)}`);
      }
    });
  return [
    register('prototyper.exportProject', () => exportProject(sidecar)),
    register('prototyper.exportComponent', (uri?: vscode.Uri) => exportComponent(sidecar, uri)),
  ];
}

function workspaceFolder(): vscode.WorkspaceFolder | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) void vscode.window.showWarningMessage('Prototyper: open the project folder first; there is nothing to export.');
  return folder;
}

/** Where the save dialog starts: beside the workspace folder, not inside the project. */
function suggested(folder: vscode.WorkspaceFolder, fileName: string): vscode.Uri {
  return vscode.Uri.file(path.join(path.dirname(folder.uri.fsPath), fileName));
}

async function askWhere(folder: vscode.WorkspaceFolder, fileName: string, title: string): Promise<vscode.Uri | undefined> {
  return vscode.window.showSaveDialog({ defaultUri: suggested(folder, fileName), filters: { 'Zip archive': ['zip'] }, title, saveLabel: 'Export' });
}

async function exportProject(sidecar: Sidecar): Promise<void> {
  const folder = workspaceFolder();
  if (!folder) return;
  const target = await askWhere(folder, `${folder.name}.zip`, 'Prototyper: Export Project');
  if (!target) return;
  const written = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Prototyper: exporting ${folder.name}…` }, () =>
    sidecar.request<string>('export_project', { outputPath: target.fsPath }),
  );
  await announce(written, `${folder.name} was exported without node_modules, build output or .env files`);
}

async function exportComponent(sidecar: Sidecar, uri?: vscode.Uri): Promise<void> {
  const folder = workspaceFolder();
  if (!folder) return;
  const file = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!file || file.scheme !== 'file' || !/\.(tsx|jsx|ts|js)$/i.test(file.fsPath)) {
    void vscode.window.showWarningMessage('Prototyper: open a component file (.tsx), or right-click one in the explorer, then Export Component… again.');
    return;
  }
  const componentPath = vscode.workspace.asRelativePath(file, false);
  const extras = await vscode.window.showQuickPick(
    [
      { label: 'Types', description: 'a <Name>.types.ts with its props type', option: 'includeTypes' },
      { label: 'Storybook story', description: 'a <Name>.stories.tsx', option: 'includeStorybook' },
      { label: 'Test', description: 'a <Name>.test.tsx for Vitest and Testing Library', option: 'includeTests' },
    ],
    { title: `Prototyper: Export ${path.basename(file.fsPath)}`, placeHolder: 'Stubs to add beside the component (none is fine: press Enter)', canPickMany: true },
  );
  if (!extras) return;
  const stem = path.basename(file.fsPath).replace(/\.[^.]+$/, '');
  const target = await askWhere(folder, `${stem}.zip`, `Prototyper: Export Component ${stem}`);
  if (!target) return;
  const options = Object.fromEntries(extras.map((extra) => [extra.option, true]));
  const format = /\.(jsx|js)$/i.test(file.fsPath) ? 'jsx' : 'tsx';
  const written = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Prototyper: exporting ${stem}…` }, () =>
    sidecar.request<string>('export_component', { componentPath, outputPath: target.fsPath, format, options }),
  );
  await announce(written, `${stem} was exported with the files it imports`);
}

async function announce(written: string, what: string): Promise<void> {
  const choice = await vscode.window.showInformationMessage(`Prototyper: ${what}: ${written}`, 'Reveal in File Explorer', 'Copy Path');
  if (choice === 'Reveal in File Explorer') await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(written));
  if (choice === 'Copy Path') await vscode.env.clipboard.writeText(written);
}
