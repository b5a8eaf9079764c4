// Syntax highlighting for code blocks: highlight.js core with the common languages only, so the
// webview bundle stays small, each registered when a block first names it. Unknown languages come
// back escaped, not guessed.
import hljs from 'highlight.js/lib/core';
import type { LanguageFn } from 'highlight.js';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import dockerfile from 'highlight.js/lib/languages/dockerfile';
import go from 'highlight.js/lib/languages/go';
import ini from 'highlight.js/lib/languages/ini';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import kotlin from 'highlight.js/lib/languages/kotlin';
import makefile from 'highlight.js/lib/languages/makefile';
import markdown from 'highlight.js/lib/languages/markdown';
import php from 'highlight.js/lib/languages/php';
import plaintext from 'highlight.js/lib/languages/plaintext';
import powershell from 'highlight.js/lib/languages/powershell';
import python from 'highlight.js/lib/languages/python';
import ruby from 'highlight.js/lib/languages/ruby';
import rust from 'highlight.js/lib/languages/rust';
import scss from 'highlight.js/lib/languages/scss';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import swift from 'highlight.js/lib/languages/swift';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';

const languages: Record<string, LanguageFn> = {
  bash, c, cpp, csharp, css, diff, dockerfile, go, ini, java, javascript, json, kotlin, makefile,
  markdown, php, plaintext, powershell, python, ruby, rust, scss, shell, sql, swift, typescript, xml, yaml,
};
/**
 * Fence tags that name a grammar by another name: ours, and the grammars' own aliases that answers
 * use most, so a `ts` or `py` block registers one grammar, not all of them.
 */
const ALIASES: Record<string, string> = {
  toml: 'ini', tsx: 'typescript', jsx: 'typescript', ts: 'typescript', mts: 'typescript', cts: 'typescript',
  js: 'javascript', mjs: 'javascript', cjs: 'javascript', html: 'xml', svg: 'xml', vue: 'xml', xhtml: 'xml',
  sh: 'bash', zsh: 'bash', console: 'bash', py: 'python', rs: 'rust', yml: 'yaml', md: 'markdown',
  cs: 'csharp', kt: 'kotlin', rb: 'ruby', golang: 'go', 'c++': 'cpp', cc: 'cpp', hpp: 'cpp', h: 'c',
  patch: 'diff', ps1: 'powershell', pwsh: 'powershell', docker: 'dockerfile', mk: 'makefile', make: 'makefile',
  jsonc: 'json', text: 'plaintext', txt: 'plaintext',
};
let everyGrammarRegistered = false;

/**
 * The grammar for a fence tag, registered on first use. Registering runs the grammar's definition,
 * which for 28 languages is a long task at start-up the chat view does not need to show its
 * composer; a tag this file does not know registers the rest once, so the grammars' own aliases
 * still work.
 */
function grammarFor(name: string): ReturnType<typeof hljs.getLanguage> {
  if (!name) return undefined;
  const primary = ALIASES[name] ?? name;
  if (languages[primary]) {
    if (!registered.has(primary)) register([primary]);
    return hljs.getLanguage(name);
  }
  const known = hljs.getLanguage(name);
  if (known || everyGrammarRegistered) return known;
  everyGrammarRegistered = true;
  register(Object.keys(languages).filter((other) => !registered.has(other)));
  return hljs.getLanguage(name);
}

const registered = new Set<string>();

/** Registers grammars, then our aliases over theirs (`console` is bash here, not shell). */
function register(names: string[]): void {
  for (const name of names) {
    hljs.registerLanguage(name, languages[name]);
    registered.add(name);
  }
  for (const [alias, languageName] of Object.entries(ALIASES)) if (registered.has(languageName)) hljs.registerAliases(alias, { languageName });
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Highlighted HTML for `code` (highlight.js escapes the code itself); plain escaped text otherwise. */
export function highlightCode(code: string, lang: string): string {
  const name = lang.toLowerCase();
  if (grammarFor(name)) {
    try {
      return hljs.highlight(code, { language: name, ignoreIllegals: true }).value;
    } catch {
      // fall through to plain text
    }
  }
  return escapeHtml(code);
}

/** Whether highlighting `lang` now is quick: its grammar is compiled, or it has none (plain text). */
export function grammarReady(lang: string): boolean {
  const language = grammarFor(lang.toLowerCase()) as { isCompiled?: boolean } | undefined;
  return !language || language.isCompiled === true;
}

/** Compiles `lang`'s grammar now (highlight.js does it on a language's first use). */
export function prepareGrammar(lang: string): void {
  highlightCode('', lang);
}

/** The VS Code language id for a fence tag, for insert/open/apply. */
export function languageIdFor(lang: string): string | undefined {
  const name = lang.toLowerCase();
  if (!name) return undefined;
  const aliases: Record<string, string> = { ts: 'typescript', js: 'javascript', py: 'python', sh: 'shellscript', bash: 'shellscript', shell: 'shellscript', rs: 'rust', yml: 'yaml', md: 'markdown', 'c++': 'cpp', cs: 'csharp', tsx: 'typescriptreact', jsx: 'javascriptreact' };
  return aliases[name] ?? name;
}
