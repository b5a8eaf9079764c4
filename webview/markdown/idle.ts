// Work the view does ahead of need, in the browser's idle time: one job per idle period, so none
// of it delays a frame. The renderers' first use is slow (highlight.js compiles a language's
// grammar on first use, 5–15 ms; marked and DOMPurify are not yet optimized), so it is done here
// after start-up instead of in the frame that shows the first answer.
import { Store } from '../state/store';
import { grammarReady, prepareGrammar } from './highlight';
import { renderMarkdown } from './render';

type Job = () => void;

const queue: Job[] = [];
let scheduled = false;

function schedule(): void {
  if (scheduled || queue.length === 0) return;
  scheduled = true;
  const run = () => {
    scheduled = false;
    queue.shift()?.();
    schedule();
  };
  if (typeof requestIdleCallback === 'function') requestIdleCallback(run);
  else setTimeout(run, 50);
}

/** Runs `job` in a later idle period, after the jobs queued before it. */
export function whenIdle(job: Job): void {
  queue.push(job);
  schedule();
}

/** Bumped each time a grammar becomes ready; code blocks waiting for theirs re-render. */
export const grammars = new Store(0);
const pending = new Set<string>();

/** Compiles `lang`'s grammar in idle time (once); code shows plain until then. */
export function prepareGrammarSoon(lang: string): void {
  const name = lang.toLowerCase();
  if (grammarReady(name) || pending.has(name)) return;
  pending.add(name);
  whenIdle(() => {
    prepareGrammar(name);
    pending.delete(name);
    grammars.update((n) => n + 1);
  });
}

/** The languages answers use most, ready before the first answer. */
const COMMON = ['typescript', 'javascript', 'python', 'bash', 'json', 'rust', 'go', 'java', 'css', 'xml', 'yaml', 'diff'];
const SAMPLE = '## Plan\n\n1. Read `src/app.ts` and **keep** the [API](https://example.com).\n2. Then:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> Done.';

/** Warms the markdown path and the common grammars, after start-up, in idle time. */
export function warmRenderers(): void {
  whenIdle(() => renderMarkdown(SAMPLE, false));
  for (const lang of COMMON) prepareGrammarSoon(lang);
}
