// bench/inline under bench/run.mjs: runs run.mjs (Generate Code Here streaming 5,000 tokens at 25
// tokens per 16 ms into 1,000- and 10,000-line documents inside code-server's extension host) and
// turns its figures into gated rows. run.mjs is imported from the source tree at run time, not
// bundled: it and the end-to-end helpers it uses find the repository from their own location.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Report } from '../lib/report';

interface Summary {
  p50: number;
  p99: number;
  max: number;
}
interface RunFigures {
  lines: number;
  chunks: number;
  perChunk: Summary;
  longestStall: number;
  toDocument: Summary;
  unrecognised: number;
  ending: string;
}

export async function main(root: string): Promise<Report> {
  const report = new Report('inline');
  const modulePath = join(root, 'bench/inline/run.mjs');
  const { measure } = (await import(pathToFileURL(modulePath).href)) as { measure: () => Promise<{ runs: RunFigures[] }> };
  const { runs } = await measure();
  const [small, large] = runs;
  for (const run of runs) {
    const size = `${run.lines.toLocaleString('en-US')} lines`;
    report.info(`${size}: host thread per chunk p50`, run.perChunk.p50, 'ms', `${run.chunks} chunks`);
    report.gate(`${size}: host thread per chunk p99`, run.perChunk.p99, 'ms', '<', 4);
    report.info(`${size}: longest event-loop stall`, run.longestStall, 'ms');
    report.info(`${size}: chunk → document p50`, run.toDocument.p50, 'ms');
    report.gate(`${size}: chunk → document p99`, run.toDocument.p99, 'ms', '<', 20);
    report.check(`${size}: every edit recognised as the session's own`, run.unrecognised === 0, `${run.unrecognised} not recognised`);
    report.check(`${size}: the whole answer streamed to review`, run.ending === 'review', run.ending);
  }
  // No growth with document length: ten times the lines, at most 1.5× (+ 0.5 ms of noise) the p99.
  report.gate('growth 1,000 → 10,000 lines, per-chunk p99', large.perChunk.p99 / Math.max(small.perChunk.p99 + 0.5 / 1.5, 1e-6), '×', '<=', 1.5);
  report.gate('growth 1,000 → 10,000 lines, chunk → document p99', large.toDocument.p99 / Math.max(small.toDocument.p99 + 0.5 / 1.5, 1e-6), '×', '<=', 1.5);
  return report;
}
