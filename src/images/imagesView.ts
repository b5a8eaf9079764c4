// The Generated Images view: the PNGs in the images folder (`prototyper.images.folder`), newest
// first, each with its prompt, a thumbnail as its icon and a larger preview in its tooltip. A
// click opens the image; the context menu inserts its path at the cursor or deletes it (with its
// `.json`). The list comes from the sidecar (`bonsai_list_assets`) and refreshes when files in
// the folder change, so images the agent makes show up too.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AssetInfo } from '../protocol/generated';
import type { EditorTracker } from '../commands/editorCommands';
import type { Sidecar } from './imageServer';
import { pathForEditor } from './paths';

export const IMAGES_VIEW_ID = 'prototyper.imagesView';
export const IMAGE_CONTEXT = 'prototyperImage';

/** The images folder setting, workspace-relative. */
export function imagesFolder(): string {
  const value = vscode.workspace.getConfiguration('prototyper').get<string>('images.folder', 'assets/generated').trim();
  return value || 'assets/generated';
}

export class ImagesView implements vscode.TreeDataProvider<AssetInfo>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<AssetInfo | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private assets: AssetInfo[] = [];
  private watcher: vscode.FileSystemWatcher | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  readonly view: vscode.TreeView<AssetInfo>;

  constructor(private readonly sidecar: Sidecar) {
    this.view = vscode.window.createTreeView(IMAGES_VIEW_ID, { treeDataProvider: this, showCollapseAll: false });
    this.watch();
    this.subscriptions.push(
      this.view,
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('prototyper.images.folder')) {
          this.watch();
          this.refresh();
        }
      }),
      sidecar.onStateChange((status) => {
        if (status.state === 'ready') this.refresh();
      }),
    );
  }

  /** Re-reads the list (debounced: a generation writes a PNG and a .json). */
  refresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.changed.fire(undefined), 150);
  }

  private watch(): void {
    this.watcher?.dispose();
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return;
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, `${imagesFolder()}/*.{png,PNG}`));
    this.watcher.onDidCreate(() => this.refresh());
    this.watcher.onDidDelete(() => this.refresh());
  }

  async getChildren(element?: AssetInfo): Promise<AssetInfo[]> {
    if (element) return [];
    if (!vscode.workspace.workspaceFolders?.length) {
      this.view.message = 'Open a folder to keep generated images in it.';
      return [];
    }
    if (this.sidecar.status.state !== 'ready') return this.assets;
    try {
      this.assets = await this.sidecar.request<AssetInfo[]>('bonsai_list_assets', { folder: imagesFolder() });
      this.view.message = undefined;
    } catch (error) {
      this.assets = [];
      this.view.message = `Could not list the images: ${(error as Error).message}`;
    }
    return this.assets;
  }

  getParent(): undefined {
    return undefined;
  }

  getTreeItem(asset: AssetInfo): vscode.TreeItem {
    const uri = vscode.Uri.file(asset.filePath);
    const label = asset.prompt?.trim() || asset.fileName;
    const item = new vscode.TreeItem(label.length > 60 ? `${label.slice(0, 57)}…` : label);
    item.id = asset.relativePath;
    item.description = `${relativeTime(asset.createdAt)} · ${asset.fileName}`;
    item.iconPath = uri;
    item.resourceUri = uri;
    item.contextValue = IMAGE_CONTEXT;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`![${escapeMarkdown(asset.fileName)}](${uri.toString()}|width=240)\n\n`);
    if (asset.prompt) tooltip.appendText(asset.prompt).appendMarkdown('\n\n');
    tooltip.appendText(`${asset.relativePath} · ${Math.max(1, Math.round(asset.fileSize / 1024))} KB`);
    item.tooltip = tooltip;
    item.command = { command: 'vscode.open', title: 'Open Image', arguments: [uri] };
    return item;
  }

  /** Shows and selects the image at `relativePath` once the list has it. */
  async reveal(relativePath: string): Promise<void> {
    this.changed.fire(undefined);
    const assets = await this.getChildren();
    const asset = assets.find((a) => a.relativePath === relativePath);
    if (asset) await this.view.reveal(asset, { select: true, focus: false });
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.watcher?.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changed.dispose();
  }
}

export async function insertPath(tracker: EditorTracker, asset: AssetInfo | undefined): Promise<void> {
  if (!asset) return;
  const editor = tracker.current();
  if (!editor) {
    void vscode.window.showWarningMessage('Prototyper: open a file and place the cursor where the image path should go, then try again.');
    return;
  }
  const documentFile = editor.document.uri.scheme === 'file' ? editor.document.uri.fsPath : undefined;
  const text = pathForEditor(asset.filePath, documentFile, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
  const ok = await editor.edit((builder) => {
    for (const selection of editor.selections) builder.replace(selection, text);
  });
  if (!ok) throw new Error(`could not insert into ${vscode.workspace.asRelativePath(editor.document.uri)}`);
  await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, preserveFocus: false });
}

export async function deleteImage(sidecar: Sidecar, view: ImagesView, asset: AssetInfo | undefined): Promise<void> {
  if (!asset) return;
  const choice = await vscode.window.showWarningMessage(
    `Delete ${asset.fileName}?`,
    { modal: true, detail: `The image and its prompt file are deleted from ${path.posix.dirname(asset.relativePath)}.` },
    'Delete',
  );
  if (choice !== 'Delete') return;
  await sidecar.request('bonsai_delete_asset', { fileName: asset.fileName, folder: path.posix.dirname(asset.relativePath) });
  view.refresh();
}

function relativeTime(seconds: number): string {
  const elapsed = Math.max(0, Date.now() / 1000 - seconds);
  if (elapsed < 60) return 'just now';
  if (elapsed < 3600) return `${Math.floor(elapsed / 60)} min ago`;
  if (elapsed < 86_400) return `${Math.floor(elapsed / 3600)} h ago`;
  return new Date(seconds * 1000).toLocaleDateString();
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|]/g, '\\$&');
}
