// "Prototyper: New Project…": the wizard (template, name, parent folder, description, package
// manager), the sidecar's scaffold_project in a cancellable progress notification showing each
// step and the install's latest meaningful line, then Open in New Window / Add to Workspace /
// Open Here; with a description, an agent chat tailors the project once it is open.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PackageManager, ScaffoldDone, ScaffoldEvent, TemplateInfo } from '../protocol/generated';
import type { ChannelEnvelope } from '../protocol/webviewMessages';
import type { ChannelRelay } from '../relay/channelRelay';
import { SECTION } from '../settings';
import { findOnPath } from './packageManagers';
import { meaningfulLine } from './progressLine';
import { projectNameProblem, suggestName } from './projectName';
import type { Tailoring } from './tailoring';

export interface NewProjectDeps {
  sidecar: { request<R = unknown>(method: string, params: object, token?: vscode.CancellationToken): Promise<R> };
  relay: Pick<ChannelRelay, 'openHostChannel' | 'closeHostChannel'>;
  tailoring: Tailoring;
}

const TITLE = 'Prototyper: New Project';
const STEPS = 5;

interface Choices {
  template: TemplateInfo;
  name: string;
  parentDir: string;
  description: string;
  packageManager: PackageManager;
  install: boolean;
}

/** Runs the wizard and the scaffold; resolves when the user has chosen where to open it. */
export async function newProject(deps: NewProjectDeps): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    // The sidecar refuses to write or run anything for an untrusted window; say so before asking.
    const action = await vscode.window.showWarningMessage(
      'Prototyper: new projects are created (and installed) by the sidecar, which runs nothing in an untrusted window. Trust this workspace, or run New Project from an empty window.',
      'Manage Workspace Trust',
    );
    if (action) await vscode.commands.executeCommand('workbench.trust.manage');
    return;
  }
  const templates = await deps.sidecar.request<TemplateInfo[]>('list_templates', {});
  const choices = await askChoices(templates);
  if (!choices) return;
  const done = await scaffoldWithProgress(deps, choices);
  if (!done) return;
  await offerToOpen(deps, choices, done);
}

async function askChoices(templates: TemplateInfo[]): Promise<Choices | undefined> {
  const picked = await vscode.window.showQuickPick(
    templates.map((template) => ({ label: template.name, description: template.id, detail: template.description, template })),
    { title: `${TITLE} (1/${STEPS})`, placeHolder: 'Pick a template', matchOnDescription: true, matchOnDetail: true, ignoreFocusOut: true },
  );
  if (!picked) return undefined;
  const template = picked.template;

  let parentDir = defaultParent();
  const folderHasFiles = (name: string) => hasFiles(path.join(parentDir, name));
  const context = { templateName: template.name, packages: template.packages, folderHasFiles };
  let name = await askName(template, suggestName(template.id === 'react-shadcn' ? 'my-app' : `my-${template.id}`, folderHasFiles), context);
  if (name === undefined) return undefined;

  const folder = await vscode.window.showOpenDialog({
    title: `${TITLE} (3/${STEPS}): the folder to create "${name}" in`,
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: 'Create Here',
    defaultUri: vscode.Uri.file(parentDir),
  });
  if (!folder?.[0]) return undefined;
  parentDir = folder[0].fsPath;
  // The folder changed: the name may clash there.
  while (folderHasFiles(name)) {
    name = await askName(template, name, context, `${path.join(parentDir, name)} already has files.`);
    if (name === undefined) return undefined;
  }

  const description = await vscode.window.showInputBox({
    title: `${TITLE} (4/${STEPS}): what to build (optional)`,
    prompt: 'Describe the app and an agent chat will tailor the new project to it (Enter without text: just the template).',
    placeHolder: 'e.g. a recipe box: a list of recipes with tags, a detail page and a form to add one',
    ignoreFocusOut: true,
  });
  if (description === undefined) return undefined;

  const manager = await askPackageManager();
  if (!manager) return undefined;
  return { template, name, parentDir, description: description.trim(), ...manager };
}

async function askName(template: TemplateInfo, value: string, context: Parameters<typeof projectNameProblem>[1], why?: string): Promise<string | undefined> {
  const name = await vscode.window.showInputBox({
    title: `${TITLE} (2/${STEPS}): the project's name`,
    prompt: why ? `${why} Pick another name.` : `The folder and package name of the new ${template.name} project.`,
    value,
    valueSelection: [0, value.length],
    ignoreFocusOut: true,
    validateInput: (input) => projectNameProblem(input.trim(), context),
  });
  return name?.trim();
}

/** The parent of the first workspace folder, else the home folder. */
function defaultParent(): string {
  const first = vscode.workspace.workspaceFolders?.[0];
  return first?.uri.scheme === 'file' ? path.dirname(first.uri.fsPath) : homedir();
}

function hasFiles(folder: string): boolean {
  try {
    return statSync(folder).isDirectory() ? readdirSync(folder).length > 0 : true;
  } catch {
    return false;
  }
}

async function askPackageManager(): Promise<{ packageManager: PackageManager; install: boolean } | undefined> {
  const setting = vscode.workspace.getConfiguration(SECTION).get<string>('packageManager', 'auto');
  const installed = (program: string) => (findOnPath(program) ? 'installed' : 'not installed');
  const auto = findOnPath('bun') ? 'bun' : 'npm';
  const items: Array<vscode.QuickPickItem & { value: PackageManager | 'none' }> = [
    { value: 'auto', label: 'auto', description: `uses ${auto} (bun when installed, else npm)` },
    { value: 'bun', label: 'bun', description: installed('bun') },
    { value: 'npm', label: 'npm', description: installed('npm') },
    { value: 'pnpm', label: 'pnpm', description: installed('pnpm') },
    { value: 'none', label: "Don't install now", description: 'write the files only; install later yourself' },
  ];
  const current = items.find((item) => item.value === setting) ?? items[0];
  current.description = `${current.description} · the prototyper.packageManager setting`;
  const picked = await vscode.window.showQuickPick([current, ...items.filter((item) => item !== current)], {
    title: `${TITLE} (5/${STEPS}): install the dependencies with`,
    placeHolder: 'The package manager for installs, the dev server and builds',
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  return picked.value === 'none'
    ? { packageManager: setting === 'bun' || setting === 'npm' || setting === 'pnpm' ? setting : 'auto', install: false }
    : { packageManager: picked.value, install: true };
}

/** scaffold_project in a cancellable progress notification; the Done data, or undefined. */
async function scaffoldWithProgress(deps: NewProjectDeps, choices: Choices): Promise<ScaffoldDone | undefined> {
  const target = path.join(choices.parentDir, choices.name);
  let terminal: ScaffoldEvent | undefined;
  let cancelRequested = false;
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Creating ${choices.name}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => (cancelRequested = true));
        let step = 'Starting…';
        progress.report({ message: step });
        const channel = deps.relay.openHostChannel((envelope: ChannelEnvelope) => {
          const event = envelope.message as ScaffoldEvent;
          if (event.event === 'Step') {
            step = event.data.label;
            progress.report({ message: step });
          } else if (event.event === 'Output') {
            const line = [...event.data.lines].reverse().map(meaningfulLine).find((l) => l !== undefined);
            if (line) progress.report({ message: `${step} ${line}` });
          } else {
            terminal = event;
          }
        });
        try {
          await deps.sidecar.request(
            'scaffold_project',
            {
              template: choices.template.id,
              name: choices.name,
              parentDir: choices.parentDir,
              packageManager: choices.packageManager,
              install: choices.install,
              onEvent: channel,
            },
            token,
          );
        } finally {
          deps.relay.closeHostChannel(channel);
        }
      },
    );
  } catch (error) {
    const failed =
      terminal?.event === 'Error'
        ? terminal.data
        : cancelRequested
          ? { message: `Cancelled creating ${choices.name}.`, code: 'cancelled' }
          : { message: (error as Error).message ?? String(error), code: undefined };
    if (failed.code === 'cancelled') {
      void vscode.window.showInformationMessage(`Prototyper: ${failed.message}`);
      return undefined;
    }
    if (failed.code === 'install_failed' && existsSync(target)) {
      // The files are complete: the project can still be opened and installed later.
      const open = await vscode.window.showWarningMessage(`Prototyper: ${failed.message}`, 'Open Anyway');
      if (open) return { path: target, installed: false, packageManager: choices.packageManager };
      return undefined;
    }
    const hint = failed.code === 'package_manager_missing' ? 'Open Settings' : undefined;
    const action = await vscode.window.showErrorMessage(`Prototyper: ${failed.message}`, ...(hint ? [hint] : []));
    if (action === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.packageManager`);
    return undefined;
  }
  return terminal?.event === 'Done' ? terminal.data : { path: target, installed: choices.install, packageManager: choices.packageManager };
}

async function offerToOpen(deps: NewProjectDeps, choices: Choices, done: ScaffoldDone): Promise<void> {
  const uri = vscode.Uri.file(done.path);
  if (choices.description) await deps.tailoring.remember(done.path, choices.template, choices.description);
  const folders = vscode.workspace.workspaceFolders ?? [];
  const installed = done.installed ? '' : ' (dependencies not installed yet)';
  const tailor = choices.description ? ' An agent chat will tailor it to your description once it is open.' : '';
  const action = await vscode.window.showInformationMessage(
    `Prototyper: created ${choices.name} in ${choices.parentDir}${installed}.${tailor}`,
    'Open in New Window',
    'Add to Workspace',
    'Open Here',
  );
  if (action === 'Open in New Window') {
    await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
  } else if (action === 'Open Here') {
    await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: false });
  } else if (action === 'Add to Workspace') {
    vscode.workspace.updateWorkspaceFolders(folders.length, 0, { uri, name: choices.name });
    if (choices.description && folders.length > 0) {
      // The agent works in the first workspace folder, which stays the old one.
      const open = await vscode.window.showInformationMessage(
        `Prototyper: ${choices.name} was added to the workspace. The agent works in the first workspace folder, so the tailoring chat starts when you open ${choices.name} on its own.`,
        'Open in New Window',
      );
      if (open) await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
    }
  }
}
