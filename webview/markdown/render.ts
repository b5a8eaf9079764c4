// Markdown → safe HTML for one block: marked, then DOMPurify with a strict allowlist, because model
// output is untrusted. Results are memoized by source, so a finished block is parsed once.
import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { escapeHtml, highlightCode } from './highlight';

const SAFE_LINK = /^(https?:|mailto:|#)/i;
/** Relative links (workspace files) are opened through the host; everything else is made inert. */
const RELATIVE_LINK = /^(?![a-z][a-z0-9+.-]*:)[^\s]+$/i;

let configured = false;

/**
 * Sets DOMPurify's config once for this webview (the only module that uses DOMPurify), so each
 * sanitize skips re-reading it, and installs the link and image hook.
 */
function configure(): void {
  if (configured) return;
  configured = true;
  DOMPurify.setConfig(PURIFY_CONFIG);
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    const element = node as Element;
    if (element.tagName === 'A') {
      const href = element.getAttribute('href') ?? '';
      if (SAFE_LINK.test(href)) {
        element.setAttribute('rel', 'noopener noreferrer');
      } else if (RELATIVE_LINK.test(href)) {
        element.setAttribute('data-file-link', href);
        element.removeAttribute('href');
        element.setAttribute('role', 'link');
        element.setAttribute('tabindex', '0');
      } else {
        element.removeAttribute('href');
      }
      element.removeAttribute('target');
    }
    if (element.tagName === 'IMG') {
      // Remote images would leak the conversation to third parties; keep only inline data images.
      const src = element.getAttribute('src') ?? '';
      if (!/^data:image\/(png|gif|jpeg|webp);/i.test(src)) element.removeAttribute('src');
    }
  });
}

const PURIFY_CONFIG = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed', 'svg', 'math', 'link', 'meta', 'base'],
  FORBID_ATTR: ['style', 'id', 'name', 'srcset', 'action', 'formaction'],
  ALLOW_DATA_ATTR: false,
};

/** Sanitizes HTML from any untrusted source into markup safe to put in the DOM. */
export function sanitize(html: string): string {
  configure();
  return DOMPurify.sanitize(html) as string;
}

const renderer = new marked.Renderer();
// Fences normally become separate code blocks; those left inside a block (indented) are highlighted here.
renderer.code = ({ text, lang }) => `<pre class="code-inline-block"><code class="hljs">${highlightCode(text, lang ?? '')}</code></pre>`;

const cache = new Map<string, string>();
const CACHE_LIMIT = 2000;

/** Safe HTML for a markdown block. `memo` is false for the open tail, which changes on every chunk. */
export function renderMarkdown(source: string, memo = true): string {
  if (memo) {
    const hit = cache.get(source);
    if (hit !== undefined) return hit;
  }
  let html: string;
  try {
    html = sanitize(marked.parse(source, { gfm: true, breaks: false, async: false, renderer }) as string);
  } catch {
    html = `<p>${escapeHtml(source)}</p>`;
  }
  if (memo) {
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(source, html);
  }
  return html;
}

const codeCache = new Map<string, string>();

/** Highlighted, sanitized HTML for a fenced block's code. */
export function renderCode(code: string, lang: string, memo = true): string {
  const key = `${lang}\u0000${code}`;
  if (memo) {
    const hit = codeCache.get(key);
    if (hit !== undefined) return hit;
  }
  const html = sanitize(highlightCode(code, lang));
  if (memo) {
    if (codeCache.size >= CACHE_LIMIT) codeCache.delete(codeCache.keys().next().value as string);
    codeCache.set(key, html);
  }
  return html;
}
