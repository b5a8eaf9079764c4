// The incremental markdown splitter: feeding a text in any chunking gives the same blocks as
// splitting it whole, finished blocks keep their identity, and code fences are honoured.
import { describe, expect, it } from 'vitest';
import { GROUP_SIZE, finishedBlocks, splitBlocks } from '../../../webview/markdown/blocks';

const sample = [
  '# Title',
  '',
  'A paragraph with `code` and **bold**.',
  'Second line of it.',
  '',
  '- item one',
  '',
  '  continued item',
  '- item two',
  'Intro before a fence:',
  '```ts',
  'const a = 1;',
  '',
  'const b = 2;',
  '```',
  '~~~',
  '```not a close',
  '~~~',
  '',
  '| a | b |',
  '|---|---|',
  '| 1 | 2 |',
  '',
  'Last paragraph.',
].join('\n');

function summary(blocks: { kind: string; text: string; code: string; lang: string }[]) {
  return blocks.map((b) => (b.kind === 'code' ? `code:${b.lang}:${b.code}` : `md:${b.text.trim()}`));
}

describe('splitBlocks', () => {
  it('splits at blank lines and around fences, keeping indented continuations', () => {
    expect(summary(finishedBlocks(sample))).toEqual([
      'md:# Title',
      'md:A paragraph with `code` and **bold**.\nSecond line of it.',
      'md:- item one\n\n  continued item\n- item two\nIntro before a fence:',
      'code:ts:const a = 1;\n\nconst b = 2;',
      'code::```not a close',
      'md:| a | b |\n|---|---|\n| 1 | 2 |',
      'md:Last paragraph.',
    ]);
  });

  it('gives the same blocks for every chunk size when fed incrementally', () => {
    const whole = summary(finishedBlocks(sample));
    for (let size = 1; size <= 17; size++) {
      let state;
      let result;
      const text = `${sample}\n`;
      for (let end = size; end < text.length + size; end += size) {
        result = splitBlocks(text.slice(0, Math.min(end, text.length)), state);
        state = result.state;
      }
      const blocks = [...result!.groups.flat(), ...(result!.tail ? [result!.tail] : [])];
      expect(summary(blocks)).toEqual(whole);
    }
  });

  it('keeps full groups identical across calls and exposes an open code tail', () => {
    const text = Array.from({ length: GROUP_SIZE * 2 + 3 }, (_, i) => `para ${i}`).join('\n\n') + '\n\n```py\nprint(1)';
    const first = splitBlocks(text);
    expect(first.groups[0]).toHaveLength(GROUP_SIZE);
    expect(first.tail).toMatchObject({ kind: 'code', lang: 'py', code: 'print(1)', closed: false });
    const second = splitBlocks(`${text}\nprint(2)\n\`\`\`\n`, first.state);
    expect(second.groups[0]).toBe(first.groups[0]);
    expect(second.groups[1]).toBe(first.groups[1]);
    expect(second.tail).toBeNull();
    expect(second.groups.flat().at(-1)).toMatchObject({ kind: 'code', code: 'print(1)\nprint(2)' });
  });

  it('starts over when the text is not an extension of the previous one', () => {
    const a = splitBlocks('one\n\ntwo\n\n');
    const b = splitBlocks('other\n\n', a.state);
    expect(b.groups).toEqual([]);
    expect(b.tail?.text.trim()).toBe('other');
  });
});
