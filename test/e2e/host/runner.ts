// The extension that runs Prototyper's host tests and the inline benchmark inside a real VS Code
// extension host (code-server), next to the installed Prototyper extension: "Prototyper Host
// Tests: Run" runs sessions.host.ts against real documents and editors; "…: Bench" runs
// bench/inline's scenario through the extension's own inline controller. Results go, as JSON, to
// the file the `prototyperHostTests.output` setting names; the e2e suite and the bench read it.
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { runInlineBench } from '../../../bench/inline/host';
import { runTests } from './harness';
import './sessions.host';

function output(): string {
  const file = vscode.workspace.getConfiguration('prototyperHostTests').get<string>('output', '');
  if (!file) throw new Error('prototyperHostTests.output is not set');
  return file;
}

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('prototyperHostTests.run', async () => {
      const results = await runTests();
      writeFileSync(output(), JSON.stringify({ kind: 'tests', results }, null, 2));
    }),
    vscode.commands.registerCommand('prototyperHostTests.bench', async () => {
      try {
        const figures = await runInlineBench();
        writeFileSync(output(), JSON.stringify({ kind: 'bench', figures }, null, 2));
      } catch (error) {
        writeFileSync(output(), JSON.stringify({ kind: 'bench', error: (error as Error).stack ?? String(error) }));
      }
    }),
  );
}

export function deactivate(): void {}
