// The host side of checkpoints: Restore checkpoint, Undo (a file or a whole answer), Compare and a
// file's diff, for the chat's changed-file list. The sidecar keeps the checkpoints and writes the
// files; the host asks the user first. A file edited after the answer is restored only when the
// user says so after being offered its three versions (what the answer left, what is there now,
// and what a restore brings back), and nothing is ever saved.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CheckpointSelection, FileText, PlannedFile, RestorePlan, RestoreResult } from '../protocol/generated';
import { requireString } from '../commands/args';
import type { ProposalDocuments } from '../commands/proposalDocuments';
import { HostCommandError } from '../relay/invokeRouter';
import { workspaceUri } from './editorDocuments';

interface Sidecar {
  request<R = unknown>(method: string, params: object): Promise<R>;
}

export interface RestoreOutcome extends RestoreResult {
  /** The user also asked to delete the messages after this one. */
  dropLater: boolean;
  /** The user cancelled; nothing was restored. */
  cancelled: boolean;
}

const LIST_LIMIT = 8;

function names(files: PlannedFile[]): string {
  const shown = files.slice(0, LIST_LIMIT).map((f) => f.path);
  return files.length > LIST_LIMIT ? `${shown.join(', ')} and ${files.length - LIST_LIMIT} more` : shown.join(', ');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export class CheckpointCommands {
  constructor(
    private readonly sidecar: Sidecar,
    private readonly documents: ProposalDocuments,
  ) {}

  /** Restore checkpoint: the files this answer and every later one changed, back to before it. */
  restore(args: Record<string, unknown>): Promise<RestoreOutcome> {
    return this.run(this.selection(args, 'from_message'), true);
  }

  /** Undo: one answer's changes to the given files (all of them without `paths`). */
  undo(args: Record<string, unknown>): Promise<RestoreOutcome> {
    return this.run(this.selection(args, 'message'), false);
  }

  /** Compare: a multi-file diff of what this answer changed. */
  async compare(args: Record<string, unknown>): Promise<null> {
    const plan = await this.plan(this.selection(args, 'message'));
    const entries: [vscode.Uri, vscode.Uri, vscode.Uri][] = [];
    for (const file of plan.files) {
      if (!shownAsText(file.before) || !shownAsText(file.after)) continue;
      const before = this.documents.create(file.before.text ?? '', file.path, 'before');
      const after = this.documents.create(file.after.text ?? '', file.path, 'after');
      entries.push([after, before, after]);
    }
    const left = plan.files.length - entries.length;
    if (entries.length === 0) {
      void vscode.window.showInformationMessage(`This answer changed ${plural(plan.files.length, 'file')} that cannot be shown as text (binary or very large).`);
      return null;
    }
    await vscode.commands.executeCommand('vscode.changes', 'Changes made by this answer', entries);
    if (left > 0) void vscode.window.showInformationMessage(`${plural(left, 'file')} of this answer are binary or too large to compare.`);
    return null;
  }

  /** A changed file's diff: its content before the answer against the file now. */
  async openFileDiff(args: Record<string, unknown>): Promise<null> {
    const relative = requireString(args, 'path');
    const selection = { ...this.selection(args, 'message'), paths: [relative] };
    const file = (await this.plan(selection)).files[0];
    if (!file) throw new HostCommandError(-32010, `${relative} is not among this answer's changes any more.`);
    if (!shownAsText(file.before) || !shownAsText(file.current)) {
      void vscode.window.showInformationMessage(`${relative} is ${file.before.binary || file.current.binary ? 'a binary file' : 'too large to compare'}.`);
      return null;
    }
    const before = this.documents.create(file.before.text ?? '', relative, 'before');
    const now = file.current.exists ? await this.fileUri(relative) : this.documents.create('', relative, 'deleted');
    await vscode.commands.executeCommand('vscode.diff', before, now, `${path.basename(relative)}: before this answer ↔ now`, { preview: true });
    return null;
  }

  private selection(args: Record<string, unknown>, scope: 'message' | 'from_message'): CheckpointSelection {
    const paths = Array.isArray(args.paths) ? args.paths.filter((p): p is string => typeof p === 'string') : undefined;
    return { chatId: requireString(args, 'chatId'), messageId: requireString(args, 'messageId'), scope, paths };
  }

  private plan(selection: CheckpointSelection): Promise<RestorePlan> {
    return this.sidecar.request<RestorePlan>('plan_checkpoint_restore', selection);
  }

  private fileUri(relative: string): Promise<vscode.Uri> {
    return workspaceUri(relative);
  }

  private async run(selection: CheckpointSelection, offerDropLater: boolean): Promise<RestoreOutcome> {
    const cancelled: RestoreOutcome = { restored: [], skipped: [], dropLater: false, cancelled: true };
    const plan = await this.plan(selection);
    const pending = plan.files.filter((f) => f.status !== 'restored');
    const edited = pending.filter((f) => f.status === 'edited');
    let dropLater = false;
    if (offerDropLater) {
      const restoreFiles = 'Restore Files';
      const andDrop = 'Restore and Delete Later Messages';
      const detail =
        pending.length === 0
          ? 'The files already hold their earlier content.'
          : `${names(pending)}.${edited.length > 0 ? ` ${plural(edited.length, 'file')} changed after this answer; you will be asked about them.` : ''} Open editors are changed, not saved.`;
      const choice = await vscode.window.showWarningMessage(
        `Restore ${plural(pending.length, 'file')} to how they were before this answer?`,
        { modal: true, detail },
        restoreFiles,
        andDrop,
      );
      if (!choice) return cancelled;
      dropLater = choice === andDrop;
    }
    let overwrite: string[] = [];
    if (edited.length > 0) {
      const decided = await this.askAboutEdited(edited);
      if (decided === undefined) return cancelled;
      overwrite = decided;
    }
    const result = await this.sidecar.request<RestoreResult>('apply_checkpoint_restore', { ...selection, overwrite });
    if (result.skipped.length > 0) {
      const lines = result.skipped.map((s) => `${s.path}: ${s.reason}`).join('\n');
      const count = result.skipped.length === 1 ? '1 file was' : `${result.skipped.length} files were`;
      void vscode.window.showWarningMessage(`${count} not restored: ${lines}`);
    }
    return { ...result, dropLater, cancelled: false };
  }

  /**
   * Asks whether files edited after the answer may be overwritten, offering their differences;
   * returns the paths the user allowed (none: keep them), or undefined when they cancelled.
   */
  private async askAboutEdited(edited: PlannedFile[]): Promise<string[] | undefined> {
    const show = 'Show Differences';
    const overwrite = 'Discard My Changes';
    const keep = 'Keep My Changes';
    for (;;) {
      const choice = await vscode.window.showWarningMessage(
        `${plural(edited.length, 'file')} changed after this answer: ${names(edited)}.`,
        {
          modal: true,
          detail: 'Restoring them discards those changes. "Keep My Changes" restores the other files only.',
        },
        show,
        overwrite,
        keep,
      );
      if (choice === show) {
        await this.showThreeWay(edited);
        continue;
      }
      if (choice === overwrite) return edited.map((f) => f.path);
      if (choice === keep) return [];
      return undefined;
    }
  }

  /** For each file: the changes made since the answer, and what a restore would do to it now. */
  private async showThreeWay(files: PlannedFile[]): Promise<void> {
    const entries: [vscode.Uri, vscode.Uri, vscode.Uri][] = [];
    for (const file of files) {
      if (![file.before, file.after, file.current].every(shownAsText)) continue;
      const after = this.documents.create(file.after.text ?? '', file.path, 'answer-left');
      const current = this.documents.create(file.current.text ?? '', file.path, 'now');
      const before = this.documents.create(file.before.text ?? '', file.path, 'restore-brings-back');
      entries.push([current, after, current], [before, current, before]);
    }
    if (entries.length === 0) {
      void vscode.window.showInformationMessage('These files are binary or too large to show.');
      return;
    }
    await vscode.commands.executeCommand(
      'vscode.changes',
      'Since the answer (answer → now), and what restoring does (now → before the answer)',
      entries,
    );
  }
}

/** Whether a version can be shown in a text diff (absent files count: an empty side). */
function shownAsText(version: FileText): boolean {
  return !version.binary && !version.tooLarge;
}

