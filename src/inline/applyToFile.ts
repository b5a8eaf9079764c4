// Apply to File (the chat's code block button, `apply_to_file`): the block is merged into the file
// in its editor as an inline diff with Accept/Reject per hunk. A block that restates the file is
// diffed against all of it; a fragment is placed by its own anchors and diffed against its region
// only; a fragment that fits nowhere or twice goes to the model, whose search/replace answer (or
// merged file) streams into the same diff. A file that does not exist yet is shown as a diff and
// created after a confirmation. Nothing is saved.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { optionalString, requireString } from '../commands/args';
import { openIfExists, workspaceRoot, type EditorTracker } from '../commands/editorCommands';
import type { ProposalDocuments } from '../commands/proposalDocuments';
import { resolveInWorkspace } from '../commands/workspacePaths';
import { HOST_ERROR_CODES } from '../protocol/webviewMessages';
import { HostCommandError } from '../relay/invokeRouter';
import { placeFragment } from './fragmentMerge';
import type { InlineController } from './inlineController';

function failed(message: string): HostCommandError {
  return new HostCommandError(HOST_ERROR_CODES.hostCommandFailed, message);
}

/** Resolves once the user settled the diff: `applied` when any hunk was accepted. */
export async function applyToFile(
  controller: InlineController,
  proposals: ProposalDocuments,
  tracker: EditorTracker,
  args: Record<string, unknown>,
): Promise<{ applied: boolean }> {
  const code = requireString(args, 'code', { allowEmpty: true });
  const requestedPath = optionalString(args, 'path');
  let uri: vscode.Uri;
  if (requestedPath) {
    uri = vscode.Uri.file(await resolveInWorkspace(workspaceRoot(), requestedPath));
  } else {
    const editor = tracker.current();
    if (!editor) throw failed('No file was named and no editor is open; open the file to apply the code to, then try again.');
    uri = editor.document.uri;
  }
  const label = uri.scheme === 'file' ? vscode.workspace.asRelativePath(uri, false) : path.basename(uri.path);
  const document = await openIfExists(uri);
  if (!document) return createFile(proposals, uri, label, code);

  const editor = await vscode.window.showTextDocument(document, { preview: false });
  const fileLines = Array.from({ length: document.lineCount }, (_, line) => document.lineAt(line).text);
  const blockLines = code.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
  const placement = placeFragment(fileLines, blockLines);
  let session;
  switch (placement.kind) {
    case 'whole': {
      // Keep the file's own last line break (or its absence).
      const lines = fileLines[fileLines.length - 1] === '' ? [...blockLines, ''] : blockLines;
      session = await controller.proposeLines(document, 0, document.lineCount, { kind: 'lines', lines });
      break;
    }
    case 'region':
      session = await controller.proposeLines(document, placement.start, placement.end - placement.start, { kind: 'lines', lines: placement.lines });
      break;
    default: {
      const why = placement.kind === 'ambiguous' ? `it fits ${placement.starts.length} places (lines ${placement.starts.map((s) => s + 1).join(', ')})` : placement.reason;
      void vscode.window.setStatusBarMessage(`Prototyper: asking the model where the code goes in ${label}: ${why}.`, 8000);
      session = await controller.proposeLines(document, 0, document.lineCount, { kind: 'merge' }, code);
    }
  }
  if (!session) return { applied: false };
  if (session.state === 'done') {
    void vscode.window.showInformationMessage(`Prototyper: ${label} already has this code; nothing to apply.`);
    return { applied: false };
  }
  const first = session.lensHunks()[0]?.line ?? session.firstLine();
  editor.revealRange(new vscode.Range(first, 0, first, 0), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  // Tab and Escape answer the review only in the editor. The click that asked for it focused the
  // chat's webview, and in a browser-hosted VS Code that focus can land after the editor took it;
  // taking it again once the review shows leaves the keys with the editor.
  await vscode.window.showTextDocument(document, { viewColumn: editor.viewColumn, preview: false, preserveFocus: false });
  const outcome = await controller.outcome(session);
  return { applied: outcome.accepted > 0 };
}

/**
 * A file that does not exist: VS Code's diff of empty against the block, a modal confirmation,
 * then the file is created (unsaved) with the block's text.
 */
async function createFile(proposals: ProposalDocuments, uri: vscode.Uri, label: string, code: string): Promise<{ applied: boolean }> {
  const proposalUri = proposals.create(code, label, 'proposed');
  const emptyUri = proposals.create('', label, 'new-file');
  try {
    await vscode.commands.executeCommand('vscode.diff', emptyUri, proposalUri, `${label} ↔ Proposed new file`, { preview: true });
    const saving = vscode.workspace.getConfiguration('files', uri).get<string>('autoSave', 'off') !== 'off' ? 'your auto save setting will save it.' : 'it is not saved for you.';
    const choice = await vscode.window.showInformationMessage(`Create ${label} with the proposed code?`, { modal: true, detail: `A new file is created with this content; ${saving}` }, 'Create');
    if (choice !== 'Create') return { applied: false };
    if (await openIfExists(uri)) throw failed(`${label} was created after the diff was shown, so nothing was applied. Ask again.`);
    const edit = new vscode.WorkspaceEdit();
    edit.createFile(uri, { ignoreIfExists: false });
    edit.insert(uri, new vscode.Position(0, 0), code);
    if (!(await vscode.workspace.applyEdit(edit))) throw failed(`VS Code refused to create ${label}; nothing was applied.`);
    await vscode.window.showTextDocument(uri, { preview: false });
    return { applied: true };
  } finally {
    proposals.forget(proposalUri);
    proposals.forget(emptyUri);
  }
}
