// Code blocks are coloured by the grammar their fence names, registered on first use: the common
// tags (`ts`, `py`, `console`) reach their grammar, a grammar's own rarer aliases still work, and a
// language we have no grammar for comes back as escaped plain text.
import { describe, expect, it } from 'vitest';
import { grammarReady, highlightCode } from '../../../webview/markdown/highlight';

describe('highlightCode', () => {
  it('colours a block by its fence tag, through our aliases', () => {
    expect(highlightCode('const answer: number = 42;', 'ts')).toContain('<span class="hljs-keyword">const</span>');
    expect(highlightCode('def main():\n    pass', 'py')).toContain('<span class="hljs-keyword">def</span>');
    expect(highlightCode('<div class="a"></div>', 'HTML')).toContain('hljs-tag');
    expect(highlightCode('<plain & simple>', 'text')).toBe('&lt;plain &amp; simple&gt;');
  });

  it('keeps `console` as bash, as the fences of shell sessions expect', () => {
    highlightCode('echo hi', 'shell');
    expect(highlightCode('if true; then echo hi; fi', 'console')).toContain('<span class="hljs-keyword">if</span>');
  });

  it("reaches a grammar by one of its own aliases that we do not list", () => {
    // `gyp` is one of highlight.js's python aliases.
    expect(highlightCode('import os', 'gyp')).toContain('<span class="hljs-keyword">import</span>');
  });

  it('escapes a language without a grammar, and says it is ready to show as it is', () => {
    expect(highlightCode('<b>&</b>', 'klingon')).toBe('&lt;b&gt;&amp;&lt;/b&gt;');
    expect(grammarReady('klingon')).toBe(true);
  });
});
