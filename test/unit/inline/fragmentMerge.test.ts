// Placing a chat code block in a file: the whole file, a fragment by its anchors (re-indented),
// a fragment that fits twice or nowhere (left to the model), and the model's search/replace blocks.
import { describe, expect, it } from 'vitest';
import { applySearchReplace, isSearchReplace, parseSearchReplace, placeFragment } from '../../../src/inline/fragmentMerge';

const FILE = `import { log } from './log';

export function add(a: number, b: number): number {
  return a + b;
}

export function sub(a: number, b: number): number {
  return a - b;
}

export class Calc {
  total = 0;

  push(n: number): void {
    this.total += n;
  }
}
`.split('\n');

describe('placeFragment', () => {
  it('finds a changed function by its first and last lines', () => {
    const block = ['export function sub(a: number, b: number): number {', "  log('sub');", '  return a - b;', '}'];
    expect(placeFragment(FILE, block)).toEqual({ kind: 'region', start: 6, end: 9, lines: block });
  });

  it('finds a fragment whose first line changed by the lines after it', () => {
    const block = ['export function add(a: number, b: number, c = 0): number {', '  return a + b;', '}'];
    expect(placeFragment(FILE, block)).toMatchObject({ kind: 'region', start: 2, end: 5 });
  });

  it('re-indents a method written at the left margin to where it belongs', () => {
    const block = ['push(n: number): void {', '  if (n < 0) return;', '  this.total += n;', '}'];
    expect(placeFragment(FILE, block)).toEqual({
      kind: 'region', start: 13, end: 16,
      lines: ['  push(n: number): void {', '    if (n < 0) return;', '    this.total += n;', '  }'],
    });
  });

  it('ignores "existing code" markers around a fragment', () => {
    const block = ['// ... existing code ...', 'export function add(a: number, b: number): number {', '  return b + a;', '}', '// ... rest of the file'];
    expect(placeFragment(FILE, block)).toMatchObject({ kind: 'region', start: 2, end: 5 });
  });

  it('calls a block that restates most of the file the whole file', () => {
    const block = [...FILE];
    block[3] = '  return b + a;';
    expect(placeFragment(FILE, block)).toEqual({ kind: 'whole' });
    expect(placeFragment(['', ''], ['anything'])).toEqual({ kind: 'whole' });
  });

  it('a fragment that matches twice is ambiguous', () => {
    const twice = [...FILE, 'export function sub(a: number, b: number): number {', '  return a - b;', '}'];
    const block = ['export function sub(a: number, b: number): number {', '  return b - a;', '}'];
    expect(placeFragment(twice, block)).toEqual({ kind: 'ambiguous', starts: [6, 18] });
  });

  it('a fragment that fits two places almost equally is ambiguous too', () => {
    const near = [...FILE, 'export function sub(a: number, b: number): number {', '  // the same, commented', '  return a - b;', '}'];
    const block = ['export function sub(a: number, b: number): number {', '  return 0;', '}'];
    expect(placeFragment(near, block)).toEqual({ kind: 'ambiguous', starts: [6, 18] });
  });

  it('a fragment that matches nowhere is left to the model', () => {
    expect(placeFragment(FILE, ['export function mul(a: number, b: number) {', '  return a * b;', '}'])).toMatchObject({ kind: 'nowhere' });
    expect(placeFragment(FILE, ['function add() {', '  // ... existing code ...', '  extra();', '}'])).toMatchObject({ kind: 'nowhere' });
  });
});

describe('search/replace answers', () => {
  const answer = [
    'Here you go:',
    '<<<<<<< SEARCH',
    '  return a - b;',
    '=======',
    "  log('sub');",
    '  return a - b;',
    '>>>>>>> REPLACE',
    '<<<<<<< SEARCH',
    '  total = 0;',
    '=======',
    '  total = 1;',
  ].join('\n');

  it('reads whole blocks and the one still arriving', () => {
    expect(isSearchReplace(answer)).toBe(true);
    const blocks = parseSearchReplace(answer + '\n');
    expect(blocks).toEqual([
      { search: ['  return a - b;'], replace: ["  log('sub');", '  return a - b;'], complete: true },
      { search: ['  total = 0;'], replace: ['  total = 1;'], complete: false },
    ]);
    expect(parseSearchReplace(answer)[1].replace, 'a line still arriving does not count').toEqual([]);
  });

  it('applies complete blocks and reports the ones it cannot place', () => {
    const blocks = parseSearchReplace(answer + '\n>>>>>>> REPLACE\n<<<<<<< SEARCH\nnot in the file\n=======\nx\n>>>>>>> REPLACE\n<<<<<<< SEARCH\n}\n=======\n};\n>>>>>>> REPLACE\n');
    const { lines, failed } = applySearchReplace(FILE, blocks);
    expect(lines.slice(6, 10)).toEqual(['export function sub(a: number, b: number): number {', "  log('sub');", '  return a - b;', '}']);
    expect(lines[12]).toBe('  total = 1;');
    expect(failed).toEqual([
      { index: 2, reason: 'its search text is not in the file' },
      { index: 3, reason: 'its search text is in the file 3 times' },
    ]);
  });

  it('matches ignoring indentation when the exact text is not there', () => {
    const blocks = parseSearchReplace('<<<<<<< SEARCH\nthis.total += n;\n=======\nthis.total -= n;\n>>>>>>> REPLACE\n');
    expect(applySearchReplace(FILE, blocks).lines[14]).toBe('    this.total -= n;');
  });
});
