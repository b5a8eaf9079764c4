// The sidecar's requests to the host through the real supervisor and the real sidecar binary: an
// agent turn against the scriptable fake provider edits a file that a (simulated) editor has
// open, so the sidecar asks `editor/readDocument` and `editor/applyEdit` over the same connection,
// and the supervisor's request handlers answer them. A handler that throws becomes a JSON-RPC
// error the sidecar reports to the model, never a hang. Skipped when the debug binary is not built.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplyEditParams, ChannelEnvelope, ReadDocumentParams } from '../../../src/protocol/generated';
import { resolveSidecar } from '../../../src/sidecar/binary';
import { buildInitializeParams } from '../../../src/sidecar/initialize';
import { SidecarSupervisor } from '../../../src/sidecar/supervisor';

const ROOT = path.resolve(__dirname, '../../..');
const BINARY = path.join(ROOT, 'sidecar/target/debug/prototyper-sidecar');
const built = existsSync(BINARY);

interface Doc {
  text: string;
  version: number;
}

describe.skipIf(!built)('the sidecar asks the host about open documents (real binary)', () => {
  let workspace: string;
  let storage: string;
  let fake: ChildProcess;
  let fakeBase: string;
  let supervisor: SidecarSupervisor;
  const documents = new Map<string, Doc>();
  const seen: string[] = [];
  const channels = new Map<number, ChannelEnvelope<unknown>[]>();
  let failApply = false;

  beforeAll(async () => {
    workspace = mkdtempSync(path.join(tmpdir(), 'prototyper-ws-'));
    storage = mkdtempSync(path.join(tmpdir(), 'prototyper-storage-'));
    fake = spawn(process.execPath, [path.join(ROOT, 'test/fake-provider/server.mjs'), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const first = await new Promise<string>((resolve) => createInterface({ input: fake.stdout! }).once('line', resolve));
    fakeBase = `http://127.0.0.1:${JSON.parse(first).port}`;
    supervisor = new SidecarSupervisor({
      launch: async () => {
        const resolved = await resolveSidecar({ configuredPath: BINARY, extensionPath: ROOT });
        return { command: resolved.path, args: [], version: resolved.version, description: resolved.path };
      },
      initializeParams: () =>
        buildInitializeParams({ storageDir: storage, workspaceRoot: workspace, workspaceTrusted: true, providerHosts: [fakeBase], packageManager: 'npm', editorDocuments: true }),
      logger: { info: () => {}, error: () => {}, stderr: () => {} },
      cwd: workspace,
      requestHandlers: {
        'editor/readDocument': (params) => {
          const { path: file } = params as ReadDocumentParams;
          seen.push(`read ${file}`);
          const doc = documents.get(file);
          return doc ? { open: true, text: doc.text, version: doc.version } : { open: false };
        },
        'editor/applyEdit': (params) => {
          const { path: file, content, expectedVersion } = params as ApplyEditParams;
          seen.push(`apply ${file}@${expectedVersion}`);
          if (failApply) throw new Error('the editor is gone');
          const doc = documents.get(file);
          if (!doc) return { applied: false, reason: 'closed' };
          if (doc.version !== expectedVersion) return { applied: false, reason: 'changed' };
          documents.set(file, { text: content ?? '', version: doc.version + 1 });
          return { applied: true, version: doc.version + 1 };
        },
      },
    });
    supervisor.onChannel((envelope) => channels.set(envelope.id, [...(channels.get(envelope.id) ?? []), envelope]));
    await supervisor.start();
  });

  afterAll(async () => {
    await supervisor?.dispose();
    fake?.kill();
    rmSync(workspace, { recursive: true, force: true });
    rmSync(storage, { recursive: true, force: true });
  });

  async function editTurn(channel: number): Promise<{ success: boolean; output: string }> {
    const script = {
      ollama: [{ toolCalls: [{ name: 'edit_file', arguments: { path: 'open.ts', old_string: 'one', new_string: 'two' } }] }, { text: 'done' }],
    };
    await fetch(`${fakeBase}/__script`, { method: 'POST', body: JSON.stringify(script) });
    await supervisor.request('generate_completion_stream', {
      provider: 'ollama',
      model: 'llama3.2',
      host: fakeBase,
      messages: [{ role: 'user', content: 'edit it' }],
      tools: true,
      toolPermissionMode: 'auto_accept_all',
      onEvent: channel,
    });
    const result = (channels.get(channel) ?? []).map((e) => e.message as { event: string; data: { success: boolean; output: string } }).find((m) => m.event === 'ToolResult');
    if (!result) throw new Error(`no ToolResult on channel ${channel}: ${JSON.stringify(channels.get(channel))}`);
    return result.data;
  }

  it('edits the open document through the handlers, and leaves the file on disk alone', async () => {
    writeFileSync(path.join(workspace, 'open.ts'), 'const saved = "one";\n');
    documents.set('open.ts', { text: 'const unsaved = "one";\n', version: 3 });
    const result = await editTurn(101);
    expect(result.success, result.output).toBe(true);
    expect(documents.get('open.ts')).toEqual({ text: 'const unsaved = "two";\n', version: 4 });
    expect(readFileSync(path.join(workspace, 'open.ts'), 'utf8')).toBe('const saved = "one";\n');
    expect(seen).toContain('apply open.ts@3');
  });

  it('reports a handler that throws to the model as a failed write, and writes nothing', async () => {
    documents.set('open.ts', { text: 'let x = "one";\n', version: 9 });
    failApply = true;
    const result = await editTurn(102);
    failApply = false;
    expect(result.success).toBe(false);
    expect(result.output).toMatch(/could not be written/);
    expect(documents.get('open.ts')?.text).toBe('let x = "one";\n');
  });
});
