// The files an answer changed, under the answer: each with its +/− line counts and a link to its
// diff, Keep and Undo per file, and Keep all / Undo all. Undone and kept files say so.
import type { ChangedFile } from '../chat/types';
import { keepFiles, openFileDiff, undoFiles } from '../chat/checkpoints';
import { IconButton } from './IconButton';

const CHANGE_ICONS: Record<ChangedFile['change'], string> = { created: 'diff-added', modified: 'diff-modified', deleted: 'diff-removed' };

export function ChangedFiles({ messageId, files, busy }: { messageId: string; files: ChangedFile[]; busy: boolean }) {
  const pending = files.filter((f) => f.state === 'pending');
  return (
    <div class="changed-files" role="group" aria-label={`Files changed by this answer: ${files.length}`}>
      <div class="changed-head">
        <span class="codicon codicon-files" aria-hidden="true" /> Changed {files.length} file{files.length === 1 ? '' : 's'}
        {pending.length > 0 && (
          <span class="changed-actions">
            <button type="button" class="text-button" disabled={busy} onClick={() => void keepFiles(messageId)}>
              Keep all
            </button>
            <button type="button" class="text-button" disabled={busy} onClick={() => void undoFiles(messageId)}>
              Undo all
            </button>
          </span>
        )}
      </div>
      <ul class="changed-list">
        {files.map((file) => (
          <li class={`changed-file ${file.state}`} key={file.path} data-path={file.path}>
            <span class={`codicon codicon-${CHANGE_ICONS[file.change]}`} role="img" aria-label={file.change} />
            <a
              href="#"
              class="changed-path"
              title={`Open the diff of ${file.path}: before this answer ↔ now`}
              onClick={(e) => {
                e.preventDefault();
                openFileDiff(messageId, file.path);
              }}
            >
              {file.path}
            </a>
            {file.binary ? (
              <span class="changed-counts">binary</span>
            ) : (
              <span class="changed-counts">
                <span class="added">+{file.added}</span> <span class="removed">−{file.removed}</span>
              </span>
            )}
            {file.byCommand && <span class="changed-by" title="Changed by a bash command">bash</span>}
            {file.state === 'pending' ? (
              <span class="changed-file-actions">
                <IconButton icon="check" label={`Keep the change to ${file.path}`} disabled={busy} onClick={() => void keepFiles(messageId, [file.path])} />
                <IconButton icon="discard" label={`Undo the change to ${file.path}`} disabled={busy} onClick={() => void undoFiles(messageId, [file.path])} />
              </span>
            ) : (
              <span class="changed-state">{file.state === 'kept' ? 'Kept' : 'Undone'}</span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
