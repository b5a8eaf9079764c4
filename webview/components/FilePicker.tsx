// The @-mention picker: searches workspace files through the host (find_files) as the user types;
// arrows move, Enter picks, Escape closes.
import { useEffect, useRef, useState } from 'preact/hooks';
import { invoke } from '../ipc';
import { TextField, type InputElement } from './fields';

export function FilePicker({ onPick }: { onPick: (path: string | null) => void }) {
  const [query, setQuery] = useState('');
  const [files, setFiles] = useState<string[]>([]);
  const [active, setActive] = useState(0);
  const [error, setError] = useState('');
  const field = useRef<InputElement>(null);

  useEffect(() => {
    field.current?.focus();
  }, []);

  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      invoke<string[]>('find_files', { query, limit: 50 }).then(
        (found) => {
          if (!live) return;
          setFiles(found);
          setActive(0);
          setError('');
        },
        (e: Error) => live && setError(e.message),
      );
    }, 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query]);

  return (
    <div class="file-picker" role="dialog" aria-label="Attach a file">
      <TextField
        inputRef={field}
        placeholder="Search files to attach"
        label="Search files to attach"
        aria-controls="file-picker-list"
        value={query}
        onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, files.length - 1));
          else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0));
          else if (e.key === 'Enter') onPick(files[active] ?? null);
          else if (e.key === 'Escape') onPick(null);
          else return;
          e.preventDefault();
        }}
      />
      {error && <div class="picker-error">{error}</div>}
      <ul class="picker-list" id="file-picker-list" role="listbox">
        {files.map((file, i) => (
          <li key={file} role="option" aria-selected={i === active} class={i === active ? 'active' : ''} onMouseDown={(e) => { e.preventDefault(); onPick(file); }}>
            <span class="codicon codicon-file" aria-hidden="true" /> {file}
          </li>
        ))}
        {!error && files.length === 0 && <li class="picker-empty">No matching files</li>}
      </ul>
    </div>
  );
}
