// Text from errors and hints with its light markdown shown as such: `code` spans, setting names
// (prototyper.ollama.host) as links that open the setting, and web links. Built as elements, never
// as HTML, because the text may quote a provider's answer.
import type { ComponentChildren } from 'preact';
import { invoke } from '../ipc';

const TOKEN = /`([^`]+)`|"?\b((?:prototyper|workbench|editor|files)\.[A-Za-z][\w.]*[A-Za-z])\b"?|(https?:\/\/[^\s)"'`]+[^\s)"'`.,;:!?])/g;

/** Splits `text` into plain strings, code spans, setting links and web links. */
export function richText(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    const at = match.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    const [whole, code, setting, url] = match;
    if (code !== undefined) out.push(<code key={at}>{code}</code>);
    else if (setting !== undefined) out.push(<SettingLink key={at} id={setting} />);
    else if (url !== undefined) out.push(<a key={at} href={url} rel="noopener noreferrer">{url}</a>);
    else out.push(whole);
    last = at + whole.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export function RichText({ text }: { text: string }) {
  return <>{richText(text)}</>;
}

/** A setting's id, as a link-styled button that opens VS Code's Settings on it. */
export function SettingLink({ id }: { id: string }) {
  return (
    <button type="button" class="link-button setting-link" title={`Open the ${id} setting`} onClick={() => void invoke('open_setting', { key: id })}>
      <code>{id}</code>
    </button>
  );
}
