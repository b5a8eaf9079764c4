// Finds a dev server's local URL in its output, as the seed does: the `Local: http://…` line
// Vite (and the api template) print, else any `http://localhost:<port>` URL; and waits for it
// with the seed's 30-second capture timeout. Free of `vscode`, so it is unit-tested.

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const LOCAL = /Local:\s*(https?:\/\/\S+)/i;
const LOCALHOST = /(https?:\/\/(?:localhost|127\.0\.0\.1|\[::1\]):\d+\S*)/i;

/** How long a dev server may take to print its URL (the seed's capture timeout). */
export const URL_TIMEOUT_MS = 30_000;

/** The URL `line` announces, or undefined. */
export function findDevServerUrl(line: string): string | undefined {
  const text = line.replace(ANSI, '');
  const found = LOCAL.exec(text)?.[1] ?? LOCALHOST.exec(text)?.[1];
  // Trailing punctuation of a sentence is not part of the URL.
  return found?.replace(/[),.;'"]+$/, '');
}

/**
 * Collects a server's output lines until one announces its URL. `url` settles with it, or
 * rejects after `timeoutMs` or when `end` says the process stopped first.
 */
export class DevServerUrlWatcher {
  readonly url: Promise<string>;
  private resolveUrl!: (url: string) => void;
  private rejectUrl!: (error: Error) => void;
  private settled = false;
  private readonly timer: ReturnType<typeof setTimeout>;
  private lastLines: string[] = [];

  constructor(timeoutMs = URL_TIMEOUT_MS) {
    this.url = new Promise<string>((resolve, reject) => {
      this.resolveUrl = resolve;
      this.rejectUrl = reject;
    });
    // Nobody may be awaiting yet when it rejects (the terminal is still opening).
    this.url.catch(() => {});
    this.timer = setTimeout(() => {
      const seen = this.lastLines.length > 0 ? ` Its last output: ${this.lastLines.join(' / ')}` : ' It printed nothing.';
      this.fail(`The dev server printed no local URL within ${Math.round(timeoutMs / 1000)} s.${seen}`);
    }, timeoutMs);
  }

  /** Feeds output lines. */
  lines(lines: readonly string[]): void {
    if (this.settled) return;
    for (const line of lines) {
      const url = findDevServerUrl(line);
      if (url) {
        this.settled = true;
        clearTimeout(this.timer);
        this.resolveUrl(url);
        return;
      }
      const trimmed = line.replace(ANSI, '').trim();
      if (trimmed) this.lastLines = [...this.lastLines.slice(-2), trimmed];
    }
  }

  /** The process ended (or could not start) before printing a URL. */
  end(reason: string): void {
    this.fail(`The dev server stopped before it printed its URL: ${reason}`);
  }

  dispose(): void {
    this.fail('The dev server was stopped.');
  }

  private fail(message: string): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.rejectUrl(new Error(message));
  }
}
