// What an inline request tells the model: the document around the cursor (capped here; the
// sidecar cuts it to the model's context, keeping the lines nearest the cursor), the selection as
// whole lines, the language, the path, and the other open files — visible editors first, then
// open tabs of the same language. Provider and model as the chat's, unless
// `prototyper.inline.model` names a smaller, faster one.
import * as vscode from 'vscode';
import type { InlineRequest } from '../protocol/generated/InlineRequest';
import type { InlineTask } from '../protocol/generated/InlineTask';
import type { RelatedFile } from '../protocol/generated/RelatedFile';
import type { Provider } from '../protocol/webviewMessages';
import { PROVIDERS, providerHost, SECTION, timeouts } from '../settings';

/** More than any model's context holds at ~3 characters a token; the sidecar cuts the rest. */
const MAX_PREFIX_CHARS = 400_000;
const MAX_SUFFIX_CHARS = 200_000;
const MAX_RELATED_FILES = 6;
const MAX_RELATED_CHARS = 24_000;

export interface InlineModel {
  provider: Provider;
  model: string;
}

/** The provider and model an inline request uses. */
export function inlineModel(): InlineModel {
  const config = vscode.workspace.getConfiguration(SECTION);
  const provider = config.get<string>('provider', 'ollama');
  const inline = config.get<string>('inline.model', '').trim();
  return {
    provider: (PROVIDERS as readonly string[]).includes(provider) ? (provider as Provider) : 'ollama',
    model: inline || config.get<string>('model', '').trim(),
  };
}

/** Whole lines [first, first + count) a selection covers (a selection ending at column 0 leaves that line out). */
export function selectedLines(selection: vscode.Selection | vscode.Range): { first: number; count: number } {
  const last = selection.end.character === 0 && selection.end.line > selection.start.line ? selection.end.line - 1 : selection.end.line;
  return { first: selection.start.line, count: last - selection.start.line + 1 };
}

export interface RequestPlace {
  task: InlineTask;
  instruction: string;
  /** Generate: the cursor. Edit/merge: the whole lines being rewritten. */
  at: vscode.Position;
  lines?: { first: number; count: number };
  fragment?: string;
}

/** The params of `generate_inline` (without the channel, host and key). */
export function buildRequest(document: vscode.TextDocument, place: RequestPlace, model: InlineModel): Omit<InlineRequest, 'onEvent'> {
  let start: vscode.Position;
  let end: vscode.Position;
  if (place.lines) {
    start = new vscode.Position(place.lines.first, 0);
    const after = place.lines.first + place.lines.count;
    end = after < document.lineCount ? new vscode.Position(after, 0) : document.lineAt(document.lineCount - 1).range.end;
  } else {
    start = end = place.at;
  }
  const startOffset = document.offsetAt(start);
  const endOffset = document.offsetAt(end);
  const text = document.getText();
  const prefixFrom = lineStartAtOrAfter(text, Math.max(0, startOffset - MAX_PREFIX_CHARS));
  const suffixTo = lineEndAtOrBefore(text, Math.min(text.length, endOffset + MAX_SUFFIX_CHARS));
  return {
    model: model.model,
    provider: model.provider,
    task: place.task,
    instruction: place.instruction,
    languageId: document.languageId,
    path: displayPath(document),
    prefix: lf(text.slice(prefixFrom, startOffset)),
    selection: lf(text.slice(startOffset, endOffset)),
    suffix: lf(text.slice(endOffset, suffixTo)),
    relatedFiles: relatedFiles(document),
    fragment: place.fragment,
    idleTimeoutSeconds: timeouts().idleTimeoutSeconds,
  };
}

/** Host and key for the provider, filled in by the host as for every provider command. */
export async function credentials(provider: Provider, keyOf: (provider: Provider) => Promise<string>): Promise<{ host: string; apiKey: string }> {
  return { host: providerHost(provider), apiKey: await keyOf(provider) };
}

export function displayPath(document: vscode.TextDocument): string {
  return document.uri.scheme === 'file' ? vscode.workspace.asRelativePath(document.uri, false) : document.uri.path.split('/').pop() || 'untitled';
}

/** Other open text files, most relevant first, within size limits. */
function relatedFiles(document: vscode.TextDocument): RelatedFile[] {
  const seen = new Set<string>([document.uri.toString()]);
  const out: RelatedFile[] = [];
  const add = (other: vscode.TextDocument | undefined) => {
    if (!other || out.length >= MAX_RELATED_FILES || seen.has(other.uri.toString())) return;
    seen.add(other.uri.toString());
    if (other.uri.scheme !== 'file' && other.uri.scheme !== 'untitled') return;
    const content = other.getText();
    if (content.length === 0 || content.length > MAX_RELATED_CHARS) return;
    out.push({ path: displayPath(other), content: lf(content) });
  };
  for (const editor of vscode.window.visibleTextEditors) add(editor.document);
  const open = new Map(vscode.workspace.textDocuments.map((d) => [d.uri.toString(), d]));
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      if (tab.input instanceof vscode.TabInputText) {
        const other = open.get(tab.input.uri.toString());
        if (other?.languageId === document.languageId) add(other);
      }
    }
  }
  return out;
}

function lf(text: string): string {
  return text.replace(/\r\n/g, '\n');
}

function lineStartAtOrAfter(text: string, offset: number): number {
  if (offset === 0 || text[offset - 1] === '\n') return offset;
  const at = text.indexOf('\n', offset);
  return at < 0 ? offset : at + 1;
}

function lineEndAtOrBefore(text: string, offset: number): number {
  if (offset === text.length) return offset;
  const at = text.lastIndexOf('\n', offset);
  return at < 0 ? offset : at + 1;
}
