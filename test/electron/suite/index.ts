// The extension-host integration suite, run inside a real VS Code by test/electron/run.mjs:
// activation, contributions, the host commands through the invoke router (as the webview calls
// them), chat persistence, Always Allow, the chat views, the sidecar when it is built, and the
// answers to the sidecar's editor requests against real TextDocuments (the version check).
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PrototyperApi } from '../../../src/extension';
import type { ChatSettings, StoredChat } from '../../../src/protocol/webviewMessages';
import { applyEdit, readDocument } from '../../../src/edits/editorDocuments';
import { runAll, test, waitFor } from './harness';

const EXTENSION_ID = 'prototyper.prototyper-vscode';
let api: PrototyperApi;

function invoke<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
  return api.router.invoke({ sessionKey: 'electron-test' }, command, args) as Promise<T>;
}

test('activates and returns its API', async () => {
  const extension = vscode.extensions.getExtension<PrototyperApi>(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is installed`);
  api = await extension.activate();
  assert.ok(api.router && api.relay && api.supervisor && api.terminals);
});

test('registers every contributed command', async () => {
  const registered = new Set(await vscode.commands.getCommands(true));
  const contributed = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.commands as Array<{ command: string }>).map((c) => c.command);
  for (const command of contributed) assert.ok(registered.has(command), `${command} is registered`);
  assert.ok(contributed.includes('prototyper.focusChat'));
});

test('contributes the settings with their defaults', () => {
  const config = vscode.workspace.getConfiguration('prototyper');
  assert.equal(config.get('provider'), 'ollama');
  assert.equal(config.get('ollama.host'), 'http://localhost:11434');
  assert.equal(config.get('toolPermissionMode'), 'ask_every_time');
  assert.equal(config.get('maxToolCalls'), 20);
  assert.equal(config.get('permissionTimeoutSeconds'), 300);
  assert.deepEqual(config.get('toolAllowlist'), []);
});

test('get_settings reports settings without keys', async () => {
  const settings = await invoke<ChatSettings>('get_settings');
  assert.equal(settings.provider, 'ollama');
  assert.equal(typeof settings.hasApiKey.openai, 'boolean');
  assert.ok(!JSON.stringify(settings).toLowerCase().includes('apikey"'), 'no key values are sent');
});

test('update_setting changes an allowed setting and refuses the sidecar path', async () => {
  await invoke('update_setting', { key: 'model', value: 'qwen3:8b' });
  assert.equal(vscode.workspace.getConfiguration('prototyper').get('model'), 'qwen3:8b');
  await assert.rejects(invoke('update_setting', { key: 'sidecar.path', value: '/tmp/evil' }), (e: { code: number }) => e.code === -32602);
  await vscode.workspace.getConfiguration('prototyper').update('model', undefined, vscode.ConfigurationTarget.Global);
});

test('allow_tool persists the tool in the allowlist (Always Allow)', async () => {
  await invoke('allow_tool', { tool: 'write_file' });
  await invoke('allow_tool', { tool: 'write_file' });
  const inspected = vscode.workspace.getConfiguration('prototyper').inspect<string[]>('toolAllowlist');
  assert.deepEqual(inspected?.globalValue, ['write_file']);
  await vscode.workspace.getConfiguration('prototyper').update('toolAllowlist', undefined, vscode.ConfigurationTarget.Global);
});

test('insert_at_cursor replaces the selection of the active editor, without saving', async () => {
  const document = await vscode.workspace.openTextDocument({ content: 'hello world' });
  const editor = await vscode.window.showTextDocument(document);
  editor.selection = new vscode.Selection(0, 6, 0, 11);
  await invoke('insert_at_cursor', { code: 'there' });
  assert.equal(document.getText(), 'hello there');
  assert.ok(document.isDirty);
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
});

test('open_in_editor opens an untitled document with the code', async () => {
  await invoke('open_in_editor', { code: 'const x = 1;', languageId: 'typescript' });
  const active = vscode.window.activeTextEditor!;
  assert.equal(active.document.isUntitled, true);
  assert.equal(active.document.getText(), 'const x = 1;');
  assert.equal(active.document.languageId, 'typescript');
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
});

test('find_files and read_attachment (unsaved edits win)', async () => {
  const found = await invoke<string[]>('find_files', { query: 'GREET' });
  assert.deepEqual(found, ['src/greeting.ts']);
  const root = vscode.workspace.workspaceFolders![0].uri;
  const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, 'src', 'greeting.ts'));
  const editor = await vscode.window.showTextDocument(document);
  await editor.edit((b) => b.insert(new vscode.Position(0, 0), '// unsaved\n'));
  const attachment = await invoke<{ content: string; languageId?: string }>('read_attachment', { path: 'src/greeting.ts' });
  assert.ok(attachment.content.startsWith('// unsaved\n'));
  assert.equal(attachment.languageId, 'typescript');
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  await assert.rejects(invoke('read_attachment', { path: '../outside.txt' }), (e: { code: number }) => e.code === -32012);
});

test('open_file opens a workspace file at a line; a missing one is not found', async () => {
  await invoke('open_file', { path: 'README.md', line: 1 });
  assert.equal(path.basename(vscode.window.activeTextEditor!.document.uri.fsPath), 'README.md');
  await assert.rejects(invoke('open_file', { path: 'missing.md' }), (e: { code: number }) => e.code === -32010);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
});

test('save_chat, list_chats and load_chat persist a chat', async () => {
  await invoke('save_chat', { chatId: 'electron-1', title: 'Hello', fromIndex: 0, messages: [{ role: 'user', content: 'hi' }], createdAt: 1 });
  await invoke('save_chat', { chatId: 'electron-1', title: 'Hello', fromIndex: 1, messages: [{ role: 'assistant', content: 'hey' }], createdAt: 1 });
  const list = await invoke<Array<{ chatId: string; messageCount: number }>>('list_chats');
  assert.ok(list.some((c) => c.chatId === 'electron-1' && c.messageCount === 2));
  const chat = await invoke<StoredChat>('load_chat', { chatId: 'electron-1' });
  assert.deepEqual(chat.messages, [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hey' }]);
});

test('copy_text writes the clipboard', async () => {
  await invoke('copy_text', { text: 'copied by prototyper' });
  assert.equal(await vscode.env.clipboard.readText(), 'copied by prototyper');
});

test('the chat view and an editor chat open', async () => {
  await vscode.commands.executeCommand('prototyper.chatView.focus');
  await vscode.commands.executeCommand('prototyper.openChatInEditor');
  await waitFor(
    () => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('prototyper.chatPanel'))),
    10_000,
    'a chat panel tab',
  );
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
});

test('the sidecar becomes ready when built, else reports how to build it', async () => {
  const root = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
  const built = ['dist/bin', 'sidecar/target/release', 'sidecar/target/debug'].some((dir) => existsSync(path.join(root, dir, 'prototyper-sidecar')));
  await waitFor(() => ['ready', 'crashed'].includes(api.supervisor.status.state), 30_000, 'the sidecar to start or fail');
  if (built) {
    assert.equal(api.supervisor.status.state, 'ready', api.supervisor.status.message);
    const entries = await invoke<Array<{ name: string }>>('read_dir', { path: '.' });
    assert.ok(entries.some((e) => e.name === 'README.md'));
  } else {
    assert.match(api.supervisor.status.message ?? '', /npm run build/);
  }
}, 40_000);

test('editor requests read an open dirty document and edit it only at the version read, unsaved', async () => {
  const root = vscode.workspace.workspaceFolders![0].uri;
  const file = vscode.Uri.joinPath(root, 'src', 'greeting.ts');
  const onDisk = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
  const editor = await vscode.window.showTextDocument(file);
  await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), '// typed, not saved\n'));
  const document = editor.document;
  assert.ok(document.isDirty);

  const read = await readDocument({ path: 'src/greeting.ts' });
  assert.deepEqual(read, { open: true, text: document.getText(), version: document.version });
  assert.deepEqual(await readDocument({ path: 'README.md' }), { open: false }, 'a file in no tab and without changes is read from disk');

  const stale = await applyEdit({ path: 'src/greeting.ts', content: 'agent\n', expectedVersion: document.version - 1, mustExist: true });
  assert.deepEqual(stale, { applied: false, reason: 'changed' });
  assert.ok(document.getText().startsWith('// typed, not saved'), 'a stale edit leaves the text alone');

  const applied = await applyEdit({ path: 'src/greeting.ts', content: 'agent\n', expectedVersion: document.version, mustExist: true });
  assert.equal(applied.applied, true);
  assert.equal(applied.version, document.version);
  assert.equal(document.getText(), 'agent\n');
  assert.ok(document.isDirty, 'the edit is not saved for the user');
  assert.equal(new TextDecoder().decode(await vscode.workspace.fs.readFile(file)), onDisk, 'the file on disk is untouched');
  await vscode.commands.executeCommand('workbench.action.files.revert');
});

export async function run(): Promise<void> {
  await runAll();
}
