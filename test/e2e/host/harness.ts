// The small test harness of the host tests: a registry of named async tests run one after
// another inside the extension host, each with a deadline, and helpers that open real documents
// in real editors and wire an inline session to VS Code's change events as the controller does.
import * as vscode from 'vscode';
import type { InlineSession } from '../../../src/inline/inlineSession';

export interface HostTest {
  name: string;
  run(): Promise<void>;
}

export interface TestResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

const registered: HostTest[] = [];

export function test(name: string, run: () => Promise<void>): void {
  registered.push({ name, run });
}

export async function runTests(deadlineMs = 30_000): Promise<TestResult[]> {
  const results: TestResult[] = [];
  for (const entry of registered) {
    const started = Date.now();
    try {
      await Promise.race([
        entry.run(),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${deadlineMs} ms`)), deadlineMs)),
      ]);
      results.push({ name: entry.name, ok: true, ms: Date.now() - started });
    } catch (error) {
      results.push({ name: entry.name, ok: false, ms: Date.now() - started, error: (error as Error).stack ?? String(error) });
    } finally {
      await closeAll();
    }
  }
  return results;
}

let opened = 0;

/**
 * A new untitled document with `text` in an editor of its own, focused. Each has a name of its own:
 * VS Code may hand out a just-closed untitled document again for a new untitled one.
 */
export async function openEditor(text: string, language = 'typescript'): Promise<vscode.TextEditor> {
  // The language comes from the name: changing it later closes and reopens the document.
  const extension = { typescript: 'ts', python: 'py', plaintext: 'txt' }[language] ?? 'txt';
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(`untitled:/host-test-${Date.now()}-${++opened}.${extension}`));
  const editor = await vscode.window.showTextDocument(document, { preview: false });
  if (!(await editor.edit((builder) => builder.insert(new vscode.Position(0, 0), text)))) throw new Error('could not fill the test document');
  return editor;
}

/** Feeds the session every change of its document, as the controller does. */
export function follow(session: InlineSession): vscode.Disposable {
  const subscription = vscode.workspace.onDidChangeTextDocument((event) => session.documentChanged(event));
  session.onDidEnd(() => subscription.dispose());
  return subscription;
}

/** Polls until `check` holds (the editor applies edits asynchronously). */
export async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Closes every editor without saving (untitled documents are reverted first). */
export async function closeAll(): Promise<void> {
  for (const document of vscode.workspace.textDocuments) {
    if (document.isUntitled && document.isDirty) {
      await vscode.window.showTextDocument(document, { preview: false });
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

export function assertEqual<T>(actual: T, expected: T, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}:\n  expected ${e}\n  actual   ${a}`);
}

export function assert(condition: unknown, what: string): asserts condition {
  if (!condition) throw new Error(what);
}
