// The inline diff's rows and hunks, while streaming and settled, per-hunk decisions, and the
// single replacement that turns the shown rows into the next ones.
import { describe, expect, it } from 'vitest';
import { diffView, lineSplice, replaceLines, resolvedLines, shownRows } from '../../../src/inline/lineDiff';

const kinds = (rows: { kind: string; text: string }[]) => rows.map((r) => `${r.kind[0]} ${r.text}`);

describe('diffView', () => {
  it('groups changes into hunks, removed lines before added ones', () => {
    const view = diffView(['a', 'b', 'c', 'd'], ['a', 'B', 'c', 'd', 'e'], false);
    expect(kinds(view.rows)).toEqual(['s a', 'r b', 'a B', 's c', 's d', 'a e']);
    expect(view.hunks).toEqual([
      { index: 0, oldStart: 1, oldLines: ['b'], newLines: ['B'] },
      { index: 1, oldStart: 4, oldLines: [], newLines: ['e'] },
    ]);
  });

  it('shows old lines not reached yet as pending while the answer streams', () => {
    const old = ['a', 'b', 'c', 'd'];
    expect(kinds(diffView(old, ['a', 'x'], true).rows)).toEqual(['s a', 'a x', 'p b', 'p c', 'p d']);
    expect(kinds(diffView(old, ['a', 'x', 'c'], true).rows)).toEqual(['s a', 'r b', 'a x', 's c', 'p d']);
    expect(kinds(diffView(old, ['a', 'x', 'c'], false).rows)).toEqual(['s a', 'r b', 'a x', 's c', 'r d']);
    expect(kinds(diffView(old, [], true).rows)).toEqual(['p a', 'p b', 'p c', 'p d']);
  });
});

describe('decisions', () => {
  const view = diffView(['a', 'b', 'c', 'd'], ['a', 'B', 'c', 'D'], false);

  it('a decided hunk shows only the lines of its choice', () => {
    const rows = shownRows(view, new Map([[0, 'accepted'], [1, 'rejected']]));
    expect(kinds(rows)).toEqual(['s a', 's B', 's c', 's d']);
    expect(kinds(shownRows(view, new Map([[1, 'accepted']])))).toEqual(['s a', 'r b', 'a B', 's c', 's D']);
  });

  it('resolves to accepted hunks new and the rest old', () => {
    expect(resolvedLines(view, (h) => h === 1)).toEqual(['a', 'b', 'c', 'D']);
    expect(resolvedLines(view, () => false)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('puts the line still arriving before the pending rows', () => {
    const streaming = diffView(['a', 'b'], ['a'], true);
    expect(kinds(shownRows(streaming, new Map(), 'x ='))).toEqual(['s a', 'a x =', 'p b']);
    expect(kinds(shownRows(diffView(['a'], ['a'], true), new Map(), 'y'))).toEqual(['s a', 'a y']);
  });
});

describe('lineSplice', () => {
  it('replaces only the lines between the common start and end', () => {
    expect(lineSplice(['a', 'b', 'c'], ['a', 'x', 'y', 'c'])).toEqual({ start: 1, deleteCount: 1, insert: ['x', 'y'] });
    expect(lineSplice(['a', 'b'], ['a', 'b', 'c'])).toEqual({ start: 2, deleteCount: 0, insert: ['c'] });
    expect(lineSplice(['a', 'a'], ['a'])).toEqual({ start: 1, deleteCount: 1, insert: [] });
    expect(lineSplice(['a'], ['a'])).toBeUndefined();
  });
});

describe('replaceLines', () => {
  const doc = (text: string) => {
    const lines = text.split('\n');
    return { lineCount: lines.length, lineLength: (i: number) => lines[i].length, eol: '\n', text };
  };
  /** Applies the replacement to the text, as the editor would. */
  const apply = (text: string, first: number, count: number, lines: string[]) => {
    const source = doc(text);
    const { start, end, text: insert } = replaceLines(source, first, count, lines);
    const all = text.split('\n');
    const offset = ([line, ch]: [number, number]) => all.slice(0, line).reduce((n, l) => n + l.length + 1, 0) + ch;
    return text.slice(0, offset(start)) + insert + text.slice(offset(end));
  };

  it('replaces, inserts and removes whole lines, also at the end of a document without a final break', () => {
    expect(apply('a\nb\nc\n', 1, 1, ['x', 'y'])).toBe('a\nx\ny\nc\n');
    expect(apply('a\nb\nc\n', 1, 0, ['x'])).toBe('a\nx\nb\nc\n');
    expect(apply('a\nb\nc\n', 1, 1, [])).toBe('a\nc\n');
    expect(apply('a\nb', 1, 1, [])).toBe('a');
    expect(apply('a\nb', 1, 1, ['x'])).toBe('a\nx');
    expect(apply('a\nb', 2, 0, ['x'])).toBe('a\nb\nx');
    expect(apply('a', 0, 1, [])).toBe('');
    expect(apply('a\nb\n', 0, 3, ['q'])).toBe('q');
  });
});
