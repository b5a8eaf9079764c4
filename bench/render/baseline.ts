// The bench's baseline renderer: the same markdown, sanitizer and highlighter as the webview, but
// the whole answer re-parsed and re-inserted on every chunk (what most chat views do).
import { renderMarkdown } from '../../webview/markdown/render';

declare global {
  interface Window {
    baselineRender(text: string): void;
  }
}

window.baselineRender = (text: string) => {
  const target = document.getElementById('answer')!;
  target.innerHTML = renderMarkdown(text, false);
};
