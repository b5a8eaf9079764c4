// Picks the line a progress notification shows under the current step: the install's latest
// meaningful output line, as the seed does (ANSI codes stripped, spinner and box-drawing lines
// dropped, at most 120 characters). Free of `vscode`, so it is unit-tested.

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g;
/** Lines made only of spinner frames, box drawing, progress bars and punctuation. */
const DECORATION = /^[\s\u2500-\u259f\u2800-\u28ff|/\\\-=_.·•⠁-⣿#>[\]()*+]*$/u;
const MAX_LENGTH = 120;

/** The line to show for `line`, or undefined when it says nothing. */
export function meaningfulLine(line: string): string | undefined {
  // A carriage return rewrites the line in a terminal: what is after the last one is what shows.
  const shown = line.split('\r').filter((part) => part.length > 0).pop() ?? '';
  const text = shown.replace(ANSI, '').replace(/\s+/g, ' ').trim();
  if (text.length === 0 || DECORATION.test(text)) return undefined;
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}

/** The last meaningful line of `lines`, if any. */
export function latestMeaningfulLine(lines: readonly string[]): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = meaningfulLine(lines[i]);
    if (line !== undefined) return line;
  }
  return undefined;
}
