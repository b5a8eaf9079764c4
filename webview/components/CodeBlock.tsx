// A fenced code block: highlighted code and its actions (Copy, Insert at Cursor, Apply to File,
// Open in Editor), all carried out by the host. A confirmation shows briefly in the header's own
// slot (an Apply to File under review says so there until it is settled); a failure stays under
// the header, so neither reshapes it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { invoke } from '../ipc';
import { escapeHtml, grammarReady, languageIdFor } from '../markdown/highlight';
import { grammars, prepareGrammarSoon } from '../markdown/idle';
import { renderCode } from '../markdown/render';
import { useStore } from '../state/store';
import { IconButton } from './IconButton';

interface CodeBlockProps {
  code: string;
  lang: string;
  closed: boolean;
  /** The markdown just before the block, where the model names the file. */
  context: string;
  /** The opening fence line, which may carry a path (```ts src/a.ts). */
  info: string;
}

const ACTION_NAMES: Record<string, string> = { copy_text: 'Copy', insert_at_cursor: 'Insert at Cursor', apply_to_file: 'Apply to File', open_in_editor: 'Open in Editor' };

/** The header's note while an Apply to File review is open in the editor (short: the header is
 * narrow in a side bar), and its tooltip, which says how to settle it. */
export const APPLY_PENDING_NOTE = 'In review';
const APPLY_PENDING_HINT = 'The change is shown in the editor: Tab accepts it, Escape rejects it.';

const PATH = /(?:^|[\s`*"'(:])((?:[\w.-]+\/)*[\w.-]+\.[A-Za-z0-9]{1,8})(?=$|[\s`*"'),:])/;

/** The file a block is meant for: from the fence info, else the last path named just before it. */
export function guessPath(info: string, context: string): string | undefined {
  const fromInfo = info.replace(/^\s*(`{3,}|~{3,})[^\s:]*[\s:]*/, '').trim();
  if (fromInfo && PATH.test(` ${fromInfo}`)) return PATH.exec(` ${fromInfo}`)?.[1];
  const lines = context.trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  const matches = [...last.matchAll(new RegExp(PATH.source, 'g'))].map((m) => m[1]).filter((p) => p.includes('/') || /\.(ts|tsx|js|jsx|py|rs|go|json|css|html|md|toml|yaml|yml|java|c|cpp|h|rb|sh|php|swift|kt)$/.test(p));
  return matches[matches.length - 1];
}

export function CodeBlock({ code, lang, closed, context, info }: CodeBlockProps) {
  /** A passing confirmation ("Copied"), shown on the header for a moment. */
  const [note, setNote] = useState('');
  /** A failure, kept under the header until the next action. */
  const [failure, setFailure] = useState('');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  // A grammar not compiled yet is compiled in idle time; the code shows plain until then, so no
  // frame waits for it.
  const ready = useStore(grammars, () => grammarReady(lang));
  useEffect(() => {
    if (!ready) prepareGrammarSoon(lang);
  }, [ready, lang]);
  const languageId = languageIdFor(lang);
  const path = closed ? guessPath(info, context) : undefined;
  const act = (label: string, command: string, args: Record<string, unknown>) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    setFailure('');
    // Apply to File waits for the user's answer in the editor; until then the block says where to
    // look, so a user back in the chat knows the change is waiting and not lost.
    setNote(command === 'apply_to_file' ? APPLY_PENDING_NOTE : '');
    invoke<{ applied?: boolean } | null>(command, args).then(
      (result) => {
        const text = command === 'apply_to_file' ? (result?.applied ? 'Applied' : 'Not applied') : label;
        if (!text) return;
        setNote(text);
        // One timer at a time, and it only ever clears its own confirmation.
        timer.current = setTimeout(() => {
          timer.current = null;
          setNote((current) => (current === text ? '' : current));
        }, 2000);
      },
      (error: Error) => {
        setNote('');
        setFailure(`${ACTION_NAMES[command] ?? 'That'} failed: ${error.message}`);
      },
    );
  };
  return (
    <div class="code-block" data-lang={lang}>
      <div class="code-header">
        <span class="code-lang">{lang || 'text'}</span>
        {path && <span class="code-path" title={path}>{path}</span>}
        <span class="code-note" aria-live="polite" title={note === APPLY_PENDING_NOTE ? APPLY_PENDING_HINT : undefined}>
          {note}
        </span>
        <span class="code-actions">
          <IconButton icon="copy" label="Copy" onClick={() => act('Copied', 'copy_text', { text: code })} />
          <IconButton icon="insert" label="Insert at Cursor" onClick={() => act('Inserted', 'insert_at_cursor', { code })} />
          <IconButton
            icon="git-pull-request-go-to-changes"
            label="Apply to File"
            title={path ? `Apply to ${path} (shows a diff first)` : 'Apply to File (shows a diff first)'}
            disabled={!closed}
            onClick={() => act('', 'apply_to_file', { path, code, languageId })}
          />
          <IconButton icon="go-to-file" label="Open in Editor" onClick={() => act('', 'open_in_editor', { code, languageId })} />
        </span>
      </div>
      {failure && (
        <div class="code-failure" role="alert">
          <span class="codicon codicon-error" aria-hidden="true" /> {failure}
        </div>
      )}
      <pre>
        <code class="hljs" dangerouslySetInnerHTML={{ __html: ready ? renderCode(code, lang, closed) : escapeHtml(code) }} />
      </pre>
    </div>
  );
}
