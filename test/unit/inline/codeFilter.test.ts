// The streaming code filter: what reaches the editor from a model's answer (fenced, raw, with
// prose or thinking around it), whatever the chunking, and the indentation helpers.
import { describe, expect, it } from 'vitest';
import { CodeFilter, looksLikeProse, reindentLine } from '../../../src/inline/codeFilter';

/** Runs `text` through a filter in pieces split at `cuts`; returns the code and the prose. */
function filter(text: string, detectProse = true, cuts: number[] = []): { code: string; prose: string; fenced: boolean | undefined } {
  const f = new CodeFilter({ detectProse });
  let code = '';
  let from = 0;
  for (const cut of [...cuts, text.length]) {
    code += f.push(text.slice(from, cut));
    from = cut;
  }
  const end = f.end();
  return { code: code + end.code, prose: end.prose, fenced: f.fenced };
}

/** The filter's result must not depend on how the stream was cut: every single and double cut. */
function sameForEveryChunking(text: string, detectProse = true) {
  const whole = filter(text, detectProse);
  for (let i = 0; i <= text.length; i++) {
    expect(filter(text, detectProse, [i]), `cut at ${i}`).toEqual(whole);
    for (let j = i; j <= text.length; j += 3) expect(filter(text, detectProse, [i, j]), `cuts at ${i}, ${j}`).toEqual(whole);
  }
  return whole;
}

describe('CodeFilter', () => {
  it('keeps only the inside of a fenced block, without its final line break', () => {
    const result = sameForEveryChunking('```ts\nconst a = 1;\n\nconst b = 2;\n```\n');
    expect(result).toEqual({ code: 'const a = 1;\n\nconst b = 2;', prose: '', fenced: true });
  });

  it('sends sentences before and after the block to the notification', () => {
    const result = sameForEveryChunking("Sure! Here's the updated function:\n\n```python\ndef f():\n    return 1\n```\nThis returns one.\n");
    expect(result.code).toBe('def f():\n    return 1');
    expect(result.prose).toBe("Sure! Here's the updated function:\n\nThis returns one.");
  });

  it('inserts nothing when the answer is only prose', () => {
    const result = sameForEveryChunking('I cannot see any code to change in that selection, could you say more?\n');
    expect(result.code).toBe('');
    expect(result.prose).toMatch(/^I cannot see/);
  });

  it('passes raw code through, leading line breaks included, and drops a closing fence the prompt opened', () => {
    expect(sameForEveryChunking('\n  return a + b;\n}', false)).toEqual({ code: '\n  return a + b;\n}', prose: '', fenced: false });
    expect(sameForEveryChunking('x + 1;\n```\nThat adds one.', true)).toEqual({ code: 'x + 1;', prose: 'That adds one.', fenced: false });
  });

  it('does not take a comment or code for prose', () => {
    expect(filter('// Returns the sum of both numbers.\nreturn a + b;').code).toBe('// Returns the sum of both numbers.\nreturn a + b;');
    expect(filter('Sum the numbers and return them', false).code).toBe('Sum the numbers and return them');
  });

  it('skips a leading <think> block', () => {
    expect(sameForEveryChunking('<think>\nThe user wants a sum.\n</think>\n```js\na + b\n```')).toEqual({ code: 'a + b', prose: '', fenced: true });
  });

  it('keeps backticks inside code and a longer fence around a shorter one', () => {
    expect(sameForEveryChunking('````md\n```js\nx\n```\n````').code).toBe('```js\nx\n```');
    expect(sameForEveryChunking('```js\nconst s = `a`;\n```').code).toBe('const s = `a`;');
  });

  it('releases a fenced line as it streams, except what could still be a fence', () => {
    const f = new CodeFilter({ detectProse: true });
    expect(f.push('```ts\ncon')).toBe('con');
    expect(f.push('st x')).toBe('st x');
    expect(f.push(' = 1;\n')).toBe(' = 1;');
    expect(f.push('``')).toBe('');
    expect(f.push('`\n')).toBe('');
    expect(f.end()).toEqual({ code: '', prose: '' });
  });

  it('drops a dangling half fence when the stream stops', () => {
    const f = new CodeFilter({ detectProse: true });
    expect(f.push('```ts\nx\n``') + f.end().code).toBe('x');
  });
});

describe('looksLikeProse', () => {
  it.each([
    ["Here's the updated code:", true],
    ['Sure, I can help with that (using a loop).', true],
    ['The function now handles empty lists.', true],
    ['return a + b;', false],
    ['# Adds two numbers', false],
    ['Hello World', false],
    ['const total = items.reduce((a, b) => a + b, 0);', false],
    ['print the value', false],
  ])('%s → %s', (line, prose) => expect(looksLikeProse(line)).toBe(prose));
});

describe('reindentLine', () => {
  it('moves a block between indentations', () => {
    expect(reindentLine('  return 1;', '  ', '    ')).toBe('    return 1;');
    expect(reindentLine('    return 1;', '    ', '')).toBe('return 1;');
    expect(reindentLine('x', '', '\t')).toBe('\tx');
    expect(reindentLine('', '', '  ')).toBe('');
    expect(reindentLine(' odd', '    ', ''), 'a line indented less loses what it has').toBe('odd');
  });
});
