// The empty chat's shortcut to "Prototyper: New Project…": the wizard itself runs in VS Code
// (QuickPick, folder dialog), so the button only asks the host to run that command.
import { runPrototyperCommand } from '../session/session';

export function NewProjectButton() {
  return (
    <div class="new-project">
      <vscode-button appearance="secondary" onClick={() => runPrototyperCommand('prototyper.newProject')}>
        <span slot="start" class="codicon codicon-new-folder" aria-hidden="true" />
        New Project…
      </vscode-button>
      <p class="new-project-hint">Start a React, Preact, API, CLI or static project from a template, then let the agent tailor it.</p>
    </div>
  );
}
