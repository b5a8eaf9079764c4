// "Prototyper: Run Workflow…": picks a saved workflow (`.prototyper/workflows/`), asks for its
// input when it needs one, and runs it in a new editor chat, which streams each node's progress
// like an answer (the webview invokes `run_workflow`; see webview/chat/controller.ts). Unsupported
// nodes, cycles and dangling edges are refused by the sidecar before anything runs, and the chat
// shows why.
import * as vscode from 'vscode';
import type { ChatPanels } from '../chat/chatPanels';
import type { FileEntry } from '../protocol/generated';
import type { ChannelRelay } from '../relay/channelRelay';
import type { SidecarSupervisor } from '../sidecar/supervisor';

export interface WorkflowDeps {
  sidecar: Pick<SidecarSupervisor, 'request'>;
  panels: Pick<ChatPanels, 'open' | 'lastActiveVisible'>;
  relay: Pick<ChannelRelay, 'postEvent'>;
}

export function registerWorkflows(deps: WorkflowDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('prototyper.runWorkflow', async (workflowId?: unknown) => {
      try {
        await runWorkflow(deps, typeof workflowId === 'string' ? workflowId : undefined);
      } catch (error) {
        void vscode.window.showErrorMessage(`Prototyper: ${(error as Error).message ?? String(error)}`);
      }
    }),
  ];
}

async function runWorkflow(deps: WorkflowDeps, given?: string): Promise<void> {
  let workflowId = given;
  if (!workflowId) {
    const saved = await deps.sidecar.request<FileEntry[]>('list_workflows', {});
    if (saved.length === 0) {
      void vscode.window.showInformationMessage('Prototyper: there are no saved workflows yet (they live in .prototyper/workflows/<id>.json).');
      return;
    }
    const picked = await vscode.window.showQuickPick(
      saved.map((entry) => ({ label: entry.name.replace(/\.json$/, ''), description: entry.modifiedMs ? new Date(entry.modifiedMs).toLocaleString() : undefined })),
      { title: 'Prototyper: Run Workflow', placeHolder: 'The workflow to run' },
    );
    if (!picked) return;
    workflowId = picked.label;
  }
  let input: string | undefined;
  if (await needsInput(deps, workflowId)) {
    input = await vscode.window.showInputBox({
      title: `Prototyper: Run Workflow ${workflowId}`,
      prompt: 'The input its input nodes pass on (what to build, the brief, …)',
      ignoreFocusOut: true,
    });
    if (input === undefined) return;
  }
  deps.panels.open();
  const chat = deps.panels.lastActiveVisible();
  if (!chat) throw new Error('could not open a chat to run the workflow in');
  // Held by the relay until the new chat is ready.
  deps.relay.postEvent(chat.sessionKey, { type: 'event', event: { kind: 'runWorkflow', workflowId, input } });
}

/** True when the workflow has an input node without a value of its own. */
async function needsInput(deps: WorkflowDeps, workflowId: string): Promise<boolean> {
  let graph: { nodes?: Array<{ type?: string; data?: Record<string, unknown> }> };
  try {
    graph = JSON.parse(await deps.sidecar.request<string>('load_workflow', { workflowId }));
  } catch {
    return false; // the run reports what is wrong with it
  }
  return (graph.nodes ?? []).some((node) => {
    const kind = node.data?.nodeType ?? node.type;
    const value = ['value', 'text', 'input', 'content'].map((key) => node.data?.[key]).find((v) => typeof v === 'string' && v.trim());
    return kind === 'input' && !value;
  });
}
