// Image generation in VS Code: "Prototyper: Generate Image…", the Generated Images view, and the
// image server's start / stop / configure / log commands. `registerImages` wires them all.
import * as vscode from 'vscode';
import type { EditorTracker } from '../commands/editorCommands';
import type { AssetInfo, BonsaiGenerateResult, GenerateEvent } from '../protocol/generated';
import type { ChannelEnvelope } from '../protocol/webviewMessages';
import { firstLine, ImageServer, type HostChannels, type Sidecar } from './imageServer';
import { deleteImage, imagesFolder, ImagesView, insertPath } from './imagesView';

export interface ImagesDeps {
  sidecar: Sidecar;
  channels: HostChannels;
  editors: EditorTracker;
}

export function registerImages(deps: ImagesDeps): vscode.Disposable[] {
  const server = new ImageServer(deps.sidecar, deps.channels);
  const view = new ImagesView(deps.sidecar);
  const register = (id: string, run: (...args: never[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: never[]) => {
      try {
        await run(...args);
      } catch (error) {
        void vscode.window.showErrorMessage(`Prototyper: ${firstLine((error as Error).message ?? String(error))}`);
      }
    });
  return [
    server,
    view,
    register('prototyper.generateImage', () => generateImage(deps, server, view)),
    register('prototyper.startImageServer', () => server.start()),
    register('prototyper.stopImageServer', () => server.stop()),
    register('prototyper.configureImageServer', () => server.configure()),
    register('prototyper.showImageServerLog', () => server.output.show(true)),
    register('prototyper.imageServerMenu', () => server.menu()),
    register('prototyper.refreshImages', () => view.refresh()),
    register('prototyper.insertImagePath', (asset: AssetInfo) => insertPath(deps.editors, asset ?? view.view.selection[0])),
    register('prototyper.deleteImage', (asset: AssetInfo) => deleteImage(deps.sidecar, view, asset ?? view.view.selection[0])),
  ];
}

/** Asks for a prompt, starts the server if needed, generates with progress, shows the image. */
async function generateImage(deps: ImagesDeps, server: ImageServer, view: ImagesView): Promise<void> {
  if (!vscode.workspace.workspaceFolders?.length) {
    void vscode.window.showWarningMessage('Prototyper: open a folder first; generated images are saved in it.');
    return;
  }
  const prompt = await vscode.window.showInputBox({
    title: 'Prototyper: Generate Image',
    prompt: `Describe the image. It is saved in ${imagesFolder()} (setting prototyper.images.folder).`,
    placeHolder: 'A watercolor fox in a snowy forest, soft morning light',
    ignoreFocusOut: true,
    validateInput: (text) => (text.trim() ? undefined : 'Describe the image to generate'),
  });
  if (!prompt?.trim()) return;
  const info = await server.start();
  if (!info) return;
  await deps.sidecar.request('bonsai_cancel_stop', {}).catch(() => {});
  let result: BonsaiGenerateResult | undefined;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Prototyper: generating an image', cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => void deps.sidecar.request('bonsai_cancel_generation', {}).catch(() => {}));
        const channel = deps.channels.openHostChannel((envelope: ChannelEnvelope) => {
          const event = envelope.message as GenerateEvent;
          if (event.event === 'Progress') progress.report({ message: event.data.message });
        });
        try {
          return await deps.sidecar.request<BonsaiGenerateResult>('bonsai_generate_image', { prompt: prompt.trim(), folder: imagesFolder(), onEvent: channel });
        } finally {
          deps.channels.closeHostChannel(channel);
        }
      },
    );
  } catch (error) {
    if ((error as { code?: number }).code === -32800) return; // the user cancelled it
    const choice = await vscode.window.showErrorMessage(`Prototyper: the image was not generated: ${firstLine((error as Error).message)}`, 'Show Log');
    if (choice === 'Show Log') server.output.show(true);
    return;
  } finally {
    server.scheduleStop();
    void server.refresh();
  }
  await view.reveal(result.relativePath);
  // Beside the code being worked on; in the editor area itself when nothing is open.
  const viewColumn = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
  await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(result.filePath), { preview: true, viewColumn });
  void vscode.window.showInformationMessage(`Prototyper: saved ${result.relativePath} (${result.width}×${result.height}, seed ${result.seed}).`);
}
