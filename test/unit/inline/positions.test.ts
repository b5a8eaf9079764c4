// Following an inline session through the user's own edits: where a change lands relative to the
// session's lines or inserted range, and how positions move.
import { describe, expect, it } from 'vitest';
import { endOfInserted, movePosition, placeAgainstLines, placeAgainstRange, type Change } from '../../../src/inline/positions';

const change = (sl: number, sc: number, el: number, ec: number, text: string): Change => ({
  range: { start: { line: sl, character: sc }, end: { line: el, character: ec } },
  text,
});

describe('placeAgainstLines (session on lines 10–14)', () => {
  it('edits above move the session by the lines they add or remove', () => {
    expect(placeAgainstLines(change(2, 0, 2, 0, 'one\ntwo\n'), 10, 5)).toEqual({ where: 'before', lineDelta: 2 });
    expect(placeAgainstLines(change(3, 0, 5, 0, ''), 10, 5)).toEqual({ where: 'before', lineDelta: -2 });
    expect(placeAgainstLines(change(9, 4, 9, 4, 'typed'), 10, 5)).toEqual({ where: 'before', lineDelta: 0 });
    expect(placeAgainstLines(change(10, 0, 10, 0, 'a whole line\n'), 10, 5)).toEqual({ where: 'before', lineDelta: 1 });
  });

  it('edits below leave it alone, and so does Enter at the end of its last line', () => {
    expect(placeAgainstLines(change(15, 0, 15, 0, 'x'), 10, 5)).toEqual({ where: 'after' });
    expect(placeAgainstLines(change(14, 7, 14, 7, '\n  '), 10, 5, 7)).toEqual({ where: 'after' });
  });

  it('edits that touch its text are inside', () => {
    expect(placeAgainstLines(change(10, 0, 10, 0, 'x'), 10, 5)).toEqual({ where: 'inside' });
    expect(placeAgainstLines(change(12, 3, 12, 4, ''), 10, 5)).toEqual({ where: 'inside' });
    expect(placeAgainstLines(change(8, 0, 11, 0, ''), 10, 5)).toEqual({ where: 'inside' });
    expect(placeAgainstLines(change(14, 2, 14, 2, '\n'), 10, 5, 7), 'a break mid-line splits it').toEqual({ where: 'inside' });
  });
});

describe('placeAgainstRange and movePosition', () => {
  const start = { line: 3, character: 4 };
  const end = { line: 5, character: 2 };

  it('touching the start is before, touching the end is after', () => {
    expect(placeAgainstRange(change(3, 4, 3, 4, 'x'), start, end)).toBe('before');
    expect(placeAgainstRange(change(5, 2, 5, 2, 'x'), start, end)).toBe('after');
    expect(placeAgainstRange(change(4, 0, 4, 1, ''), start, end)).toBe('inside');
  });

  it('moves positions through insertions and deletions', () => {
    expect(movePosition(start, change(1, 0, 1, 0, 'a\nb\n'), 'right')).toEqual({ line: 5, character: 4 });
    expect(movePosition(start, change(3, 0, 3, 2, ''), 'right')).toEqual({ line: 3, character: 2 });
    expect(movePosition(start, change(3, 4, 3, 4, 'xy'), 'right')).toEqual({ line: 3, character: 6 });
    expect(movePosition(start, change(3, 4, 3, 4, 'xy'), 'left')).toEqual(start);
    expect(movePosition(end, change(4, 0, 5, 0, ''), 'left')).toEqual({ line: 4, character: 2 });
    expect(movePosition(end, change(4, 0, 5, 1, 'q\nr'), 'left')).toEqual({ line: 5, character: 2 });
    expect(movePosition({ line: 4, character: 1 }, change(4, 0, 4, 3, 'z'), 'left')).toEqual({ line: 4, character: 0 });
    expect(movePosition({ line: 9, character: 0 }, change(2, 0, 4, 0, ''), 'left')).toEqual({ line: 7, character: 0 });
  });
});

describe('endOfInserted (where a streamed insertion ends)', () => {
  it('follows text within a line, across line breaks, and CRLF documents', () => {
    expect(endOfInserted({ line: 7, character: 3 }, 'abc')).toEqual({ line: 7, character: 6 });
    expect(endOfInserted({ line: 7, character: 3 }, 'abc\n  de')).toEqual({ line: 8, character: 4 });
    expect(endOfInserted({ line: 7, character: 3 }, 'a\n\n')).toEqual({ line: 9, character: 0 });
    expect(endOfInserted({ line: 7, character: 3 }, 'a\r\nbc')).toEqual({ line: 8, character: 2 });
    expect(endOfInserted({ line: 7, character: 3 }, '')).toEqual({ line: 7, character: 3 });
  });

  it('agrees with where the same text would leave a position right after it', () => {
    // Chunk by chunk, the insertion end found from the chunks alone is where the whole text ends.
    const chunks = ['const a', ' = 1;\n', '\nfunc', 'tion f() {\n  return a;', '\n}\n'];
    let end = { line: 2, character: 4 };
    for (const chunk of chunks) end = endOfInserted(end, chunk);
    expect(end).toEqual(endOfInserted({ line: 2, character: 4 }, chunks.join('')));
    expect(end).toEqual({ line: 7, character: 0 });
  });
});
