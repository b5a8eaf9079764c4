// The instruction for an inline request: a quick input that lists past instructions (newest
// first, kept per workspace) under what is being typed, while the place it applies to is marked in
// the editor. VS Code's API has no input widget inside the editor itself; the marked line ties the
// input to the cursor.
import * as vscode from 'vscode';

const HISTORY_KEY = 'prototyper.inline.history';
const HISTORY_SIZE = 50;

export class InstructionHistory {
  constructor(private readonly memento: vscode.Memento) {}

  list(): string[] {
    const stored = this.memento.get<unknown>(HISTORY_KEY);
    return Array.isArray(stored) ? stored.filter((item): item is string => typeof item === 'string') : [];
  }

  async remember(instruction: string): Promise<void> {
    const text = instruction.trim();
    if (!text) return;
    await this.memento.update(HISTORY_KEY, [text, ...this.list().filter((item) => item !== text)].slice(0, HISTORY_SIZE));
  }
}

export interface InstructionPrompt {
  title: string;
  placeholder: string;
  /** Generate may run without an instruction (complete the code here). */
  allowEmpty: boolean;
  editor: vscode.TextEditor;
  /** The lines the instruction applies to, marked while the input is open. */
  target: vscode.Range;
  marker: vscode.TextEditorDecorationType;
}

interface Item extends vscode.QuickPickItem {
  instruction: string;
  /** An earlier instruction picked from the list (else: what is typed). */
  earlier?: boolean;
}

/** Asks for an instruction; undefined when the user dismissed the input. */
export function askInstruction(history: InstructionHistory, prompt: InstructionPrompt): Promise<string | undefined> {
  const past = history.list();
  const pick = vscode.window.createQuickPick<Item>();
  pick.title = prompt.title;
  pick.placeholder = prompt.placeholder;
  pick.ignoreFocusOut = false;
  pick.matchOnDescription = false;
  const pastItems: Item[] = past.map((instruction) => ({ label: instruction, instruction, description: 'earlier', earlier: true }));
  const update = () => {
    const typed = pick.value.trim();
    const first: Item[] = typed
      ? [{ label: typed, instruction: typed, alwaysShow: true, description: '↵ to send' }]
      : prompt.allowEmpty
        ? [{ label: '$(sparkle) Complete the code here', instruction: '', alwaysShow: true, description: 'no instruction' }]
        : [];
    pick.items = [...first, ...pastItems.filter((item) => item.instruction !== typed)];
    if (first.length > 0) pick.activeItems = [first[0]];
  };
  update();
  prompt.editor.setDecorations(prompt.marker, [prompt.target]);
  return new Promise((resolve) => {
    let chosen: string | undefined;
    const subscriptions = [
      pick.onDidChangeValue(update),
      pick.onDidAccept(() => {
        const item = pick.activeItems[0] ?? pick.selectedItems[0];
        // An earlier instruction the arrows moved to, else what is typed.
        const instruction = item?.earlier ? item.instruction : pick.value.trim();
        if (!instruction && !prompt.allowEmpty) return;
        chosen = instruction;
        pick.hide();
      }),
      pick.onDidHide(() => {
        prompt.editor.setDecorations(prompt.marker, []);
        for (const subscription of subscriptions) subscription.dispose();
        pick.dispose();
        if (chosen !== undefined) void history.remember(chosen);
        resolve(chosen);
      }),
    ];
    pick.show();
  });
}
