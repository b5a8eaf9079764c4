// Inline sessions against real TextDocuments in a real VS Code (code-server): the streamed diff's
// hunks, Accept and Reject per hunk and for all, one undo step per accepted change, following the
// user's typing around and inside a session, fence and prose stripping, fragments placed in a file,
// two sessions side by side, and keybindings that clash with nothing in VS Code's defaults.
import * as vscode from 'vscode';
import { InlineDecorations } from '../../../src/inline/decorations';
import { DiffSession } from '../../../src/inline/diffSession';
import { placeFragment } from '../../../src/inline/fragmentMerge';
import type { InlineSession } from '../../../src/inline/inlineSession';
import { InsertionSession } from '../../../src/inline/insertionSession';
import { assert, assertEqual, follow, openEditor, test, until } from './harness';

const decorations = new InlineDecorations();
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** Streams `pieces` into the session with a pause between them, then ends the stream. */
async function stream(session: InlineSession, pieces: string[]): Promise<void> {
  for (const piece of pieces) {
    session.push(piece);
    await tick();
  }
  await session.streamEnded({ kind: 'done' });
}

function insertion(editor: vscode.TextEditor, line: number, character: number, detectProse = true): InsertionSession {
  const session = new InsertionSession(editor.document, new vscode.Position(line, character), decorations, { detectProse });
  follow(session);
  return session;
}

function diff(editor: vscode.TextEditor, first: number, count: number, source: ConstructorParameters<typeof DiffSession>[4] = { kind: 'code' }): DiffSession {
  const session = new DiffSession(editor.document, first, count, decorations, source);
  follow(session);
  return session;
}

const undo = () => vscode.commands.executeCommand('undo');

const FUNCTIONS = ['function add(a, b) {', '  return a + b;', '}', '', 'function sub(a, b) {', '  return a - b;', '}', ''].join('\n');

test('Generate Code Here: a fenced answer streams in at the cursor, re-indented, without fences or prose', async () => {
  const editor = await openEditor('function f() {\n  \n}\n');
  const session = insertion(editor, 1, 2);
  await stream(session, ['Here is the body:\n', '```js\n', 'const x = 1;\n', 'return x', ' + 1;\n', '```\n', 'It returns two.']);
  assertEqual(session.state, 'review', 'waits for review');
  assertEqual(editor.document.getText(), 'function f() {\n  const x = 1;\n  return x + 1;\n}\n', 'the code, fitted to the cursor');
  assertEqual(session.prose, 'Here is the body:\nIt returns two.', 'prose for the notification');
  assertEqual(session.lensHunks(), [{ index: 0, line: 1 }], 'one Accept/Reject');
  await session.acceptAll();
  assertEqual(editor.document.getText(), 'function f() {\n  const x = 1;\n  return x + 1;\n}\n', 'Accept keeps it');
});

test('after Accept one undo removes the whole insertion, and nothing is saved', async () => {
  const original = 'const a = 1;\n\nconst c = 3;\n';
  const editor = await openEditor(original);
  const session = insertion(editor, 1, 0);
  await stream(session, ['const b', ' = 2;\n', 'const b2 = 22;', '\n', '// done']);
  await session.acceptAll();
  assertEqual(editor.document.getText(), 'const a = 1;\nconst b = 2;\nconst b2 = 22;\n// done\nconst c = 3;\n', 'accepted');
  await undo();
  await until('the undo', () => editor.document.getText() === original);
  await vscode.commands.executeCommand('redo');
  await until('the redo', () => editor.document.getText().includes('const b2 = 22;'));
  assert(editor.document.isUntitled && editor.document.isDirty, 'never saved');
});

test('Reject restores the text, and undo does not bring the stream back', async () => {
  const original = 'let x = 1;\n';
  const editor = await openEditor(original);
  await editor.edit((b) => b.insert(new vscode.Position(1, 0), 'let y = 2;\n'));
  const typed = editor.document.getText();
  const session = insertion(editor, 2, 0);
  await stream(session, ['let z', ' = 3;\n', 'let w = 4;']);
  assert(editor.document.getText().includes('let w = 4;'), 'streamed in');
  await session.rejectAll();
  assertEqual(editor.document.getText(), typed, 'rejected');
  await undo();
  await tick();
  assert(!editor.document.getText().includes('let z'), `undo must not bring back streamed text: ${JSON.stringify(editor.document.getText())}`);
});

test('Edit Selection streams a diff: old lines stay until settled, new ones are inserted, hunks per change', async () => {
  const editor = await openEditor(FUNCTIONS);
  const session = diff(editor, 0, 7);
  session.push('```js\nfunction add(a, b) {\n  return b + a;\n');
  await until('the first lines', () => editor.document.getText().includes('return b + a;'));
  assert(editor.document.getText().includes('return a + b;'), 'the old line stays while streaming');
  assertEqual(session.state, 'streaming', 'streaming');
  await stream(session, ['}\n\nfunction sub(a, b) {\n', '  return a - b;\n}\n```']);
  assertEqual(session.lensHunks().length, 1, 'one hunk: only the changed line');
  assertEqual(
    editor.document.getText(),
    ['function add(a, b) {', '  return a + b;', '  return b + a;', '}', '', 'function sub(a, b) {', '  return a - b;', '}', ''].join('\n'),
    'removed line above the added one',
  );
  await session.acceptAll();
  assertEqual(editor.document.getText(), FUNCTIONS.replace('a + b', 'b + a'), 'accepted');
  await undo();
  await until('one undo', () => editor.document.getText() === FUNCTIONS);
});

test('Accept and Reject per hunk give exactly the chosen lines; undo takes the accepted ones out at once', async () => {
  const editor = await openEditor(FUNCTIONS);
  const session = diff(editor, 0, 7);
  await stream(session, ['```js\nfunction add(a, b) {\n  return b + a; // A\n}\n\nfunction sub(a, b) {\n  return b - a; // B\n}\n```\n']);
  const hunks = session.lensHunks();
  assertEqual(hunks.map((h) => h.index), [0, 1], 'two hunks');
  await session.rejectHunk(1);
  assert(!editor.document.getText().includes('// B'), 'the rejected hunk is gone at once');
  assertEqual(session.lensHunks().map((h) => h.index), [0], 'one left');
  await session.acceptHunk(0);
  assertEqual(session.state, 'done', 'all decided: settled');
  assertEqual(editor.document.getText(), FUNCTIONS.replace('return a + b;', 'return b + a; // A'), 'only hunk A');
  await undo();
  await until('one undo back to the original', () => editor.document.getText() === FUNCTIONS);
});

test('chunks that arrive while an edit is on its way go in with the next one: in order, nothing lost, one edit at a time', async () => {
  const editor = await openEditor('// top\n\n// bottom\n');
  const session = insertion(editor, 1, 0);
  let inFlight = 0;
  let most = 0;
  let edits = 0;
  const replace = session.writer.replace.bind(session.writer);
  session.writer.replace = (replacement, undo) => {
    most = Math.max(most, ++inFlight);
    return replace(replacement, undo);
  };
  // Called once the edit's change event is in: the edit is no longer on its way.
  session.probe = { edit: () => (inFlight--, edits++) };
  const pieces = Array.from({ length: 60 }, (_, i) => (i % 6 === 5 ? `v${i};\n` : `v${i} `));
  // Six bursts of ten chunks: the first of a burst starts an edit, the rest wait and go together.
  for (let burst = 0; burst < 6; burst++) {
    for (const piece of pieces.slice(burst * 10, burst * 10 + 10)) session.push(piece);
    await tick();
  }
  await session.streamEnded({ kind: 'done' });
  assertEqual(session.state, 'review', 'the whole answer arrived');
  assertEqual(editor.document.getText(), `// top\n${pieces.join('')}// bottom\n`, 'every chunk, in the order it came');
  assertEqual(most, 1, 'never more than one edit on its way');
  assert(edits <= 12, `a burst goes in with at most two edits, not one per chunk: ${edits} edits for ${pieces.length} chunks`);
  await session.rejectAll();
  assertEqual(editor.document.getText(), '// top\n\n// bottom\n', 'Reject restores it');
});

test('typing above a streaming session moves it along and keeps the typing', async () => {
  const editor = await openEditor('// header\n\nfunction f() {\n  \n}\n');
  const session = insertion(editor, 3, 2);
  session.push('```js\nconst a = 1;\n');
  await until('the first line', () => editor.document.getText().includes('const a = 1;'));
  // The user's own edit, as typing would make it: two lines above the session.
  assert(await editor.edit((b) => b.insert(new vscode.Position(1, 0), '// typed while it streamed\n// and more\n')), 'typed');
  await stream(session, ['const b = 2;\n', 'return a + b;\n```']);
  await session.acceptAll();
  assertEqual(
    editor.document.getText(),
    '// header\n// typed while it streamed\n// and more\n\nfunction f() {\n  const a = 1;\n  const b = 2;\n  return a + b;\n}\n',
    'both kept, the code where it belongs',
  );
  await undo();
  await until('undo of the insertion only', () => editor.document.getText() === '// header\n// typed while it streamed\n// and more\n\nfunction f() {\n  \n}\n');
});

test('typing below a diff session and on the same line before an insertion is followed', async () => {
  const editor = await openEditor('x = compute(\n)\nprint(x)\n', 'python');
  const session = insertion(editor, 0, 12, false);
  session.push('1, 2');
  await until('the insertion', () => editor.document.lineAt(0).text === 'x = compute(1, 2');
  assert(await editor.edit((b) => b.insert(new vscode.Position(0, 0), 'result_')), 'typed before it on the same line');
  assert(await editor.edit((b) => b.insert(new vscode.Position(2, 8), '  # shown')), 'typed below');
  await stream(session, [', 3']);
  await session.acceptAll();
  assertEqual(editor.document.getText(), 'result_x = compute(1, 2, 3\n)\nprint(x)  # shown\n', 'raw code goes in as is; both typings kept');
});

test('typing inside the lines being rewritten stops the stream and keeps the typing', async () => {
  const editor = await openEditor('a\nb\nc\n');
  const session = diff(editor, 0, 3);
  let stopped = false;
  session.stopStream = () => (stopped = true);
  session.push('```\nA\n');
  await until('the first new line', () => editor.document.getText().startsWith('A\n') || editor.document.getText().includes('\nA\n'));
  const line = editor.document.getText().split('\n').indexOf('A');
  assert(await editor.edit((b) => b.insert(new vscode.Position(line, 1), '!')), 'typed inside');
  await until('the stop', () => stopped && session.state === 'review');
  session.push('B\nC\n');
  assert(!editor.document.getText().includes('B\nC'), 'nothing arrives after the stop');
  await session.acceptAll();
  assertEqual(editor.document.getText(), 'A!\na\nb\nc\n', 'what arrived, with the typing; the old lines it had not reached unchanged');
});

test('a search/replace merge answer streams into the same diff view', async () => {
  const editor = await openEditor(FUNCTIONS);
  const session = diff(editor, 0, editor.document.lineCount, { kind: 'merge' });
  await stream(session, ['<<<<<<< SEARCH\n  return a - b;\n', '=======\n  return a - b - 0;\n>>>>>>> REPLACE\n', '<<<<<<< SEARCH\nnot there\n=======\nx\n>>>>>>> REPLACE\n']);
  assertEqual(session.lensHunks().length, 1, 'the placed block');
  assertEqual(session.failedBlocks, ['change 2: its search text is not in the file'], 'the other is reported');
  await session.acceptAll();
  assertEqual(editor.document.getText(), FUNCTIONS.replace('return a - b;', 'return a - b - 0;'), 'merged');
});

test('Apply to File: a fragment changes only its region; matched twice or nowhere it is not placed', async () => {
  const editor = await openEditor(FUNCTIONS);
  const lines = editor.document.getText().split('\n');
  const fragment = ['function sub(a, b) {', '  // subtract', '  return a - b;', '}'];
  const placed = placeFragment(lines, fragment);
  assert(placed.kind === 'region', `placed: ${JSON.stringify(placed)}`);
  const session = diff(editor, placed.start, placed.end - placed.start, { kind: 'lines', lines: placed.lines });
  await session.showProposal();
  assertEqual(session.lensHunks().length, 1, 'one hunk: the added comment');
  await session.acceptAll();
  assertEqual(editor.document.getText(), FUNCTIONS.replace('function sub(a, b) {\n', 'function sub(a, b) {\n  // subtract\n'), 'the rest untouched');
  const twice = [...lines, 'function sub(a, b) {', '  return a - b;', '}'];
  assertEqual(placeFragment(twice, ['function sub(a, b) {', '  return 0;', '}']).kind, 'ambiguous', 'matched twice');
  assertEqual(placeFragment(lines, ['function mul(a, b) {', '  return a * b;', '}']).kind, 'nowhere', 'matched nowhere');
});

test('a CRLF document keeps its line endings through a session', async () => {
  const editor = await openEditor('one\r\ntwo\r\nthree\r\n');
  await editor.edit((b) => b.setEndOfLine(vscode.EndOfLine.CRLF));
  const session = diff(editor, 1, 1);
  await stream(session, ['```\nTWO\nTWO AND A HALF\n```']);
  await session.acceptAll();
  assertEqual(editor.document.getText(), 'one\r\nTWO\r\nTWO AND A HALF\r\nthree\r\n', 'CRLF kept');
});

test('two sessions in different editors do not interfere', async () => {
  const left = await openEditor('left\n');
  const right = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ content: 'right\n', language: 'typescript' }), vscode.ViewColumn.Beside);
  const one = insertion(left, 1, 0, false);
  const two = insertion(right, 1, 0, false);
  for (let i = 0; i < 5; i++) {
    one.push(`L${i}\n`);
    two.push(`R${i}\n`);
    await tick();
  }
  await Promise.all([one.streamEnded({ kind: 'done' }), two.streamEnded({ kind: 'done' })]);
  await one.acceptAll();
  await two.rejectAll();
  assertEqual(left.document.getText(), 'left\nL0\nL1\nL2\nL3\nL4', 'left accepted');
  assertEqual(right.document.getText(), 'right\n', 'right rejected');
});

test('a stop while streaming leaves the document as it was, at once', async () => {
  const original = 'keep me\n';
  const editor = await openEditor(original);
  const session = insertion(editor, 1, 0, false);
  session.push('half of ');
  await until('text arrived', () => editor.document.getText() !== original);
  const started = performance.now();
  await session.streamEnded({ kind: 'stopped' });
  const took = performance.now() - started;
  assertEqual(editor.document.getText(), original, 'as it was');
  assertEqual(session.state, 'done', 'ended');
  assert(took < 2000, `restored after ${took} ms`);
});

/** The key of Generate Code Here (no selection) and Edit Selection (a selection). */
const INLINE_KEYS = ['ctrl+k ctrl+g'];

test('the inline keybindings clash with nothing in VS Code’s default keybindings', async () => {
  const defaults = await vscode.workspace.openTextDocument(vscode.Uri.parse('vscode://defaultsettings/keybindings.json'));
  const bindings = [...defaults.getText().matchAll(/"key":\s*"([^"]+)",\s*"command":\s*"([^"]+)"/g)].map(([, key, command]) => ({ key, command }));
  assert(bindings.some((b) => b.key === 'ctrl+i'), `the defaults were read (ctrl+i is bound by default): ${bindings.length} bindings`);
  const taken = new Set(bindings.filter((b) => !b.command.startsWith('prototyper.')).map((b) => b.key));
  const clashes = INLINE_KEYS.filter((key) => taken.has(key));
  const free = 'abcdefghijklmnopqrstuvwxyz'.split('').flatMap((c) => [`ctrl+k ctrl+${c}`, `ctrl+k ${c}`]).filter((key) => !taken.has(key));
  assertEqual(clashes, [], `inline keys VS Code binds by default (free Ctrl+K chords: ${free.join(', ')})`);
});
