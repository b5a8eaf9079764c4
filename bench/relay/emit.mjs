// Line source for bench/relay: prints `<sequence> <monotonic ms>` lines to stdout.
//   node emit.mjs flood N          N lines as fast as the pipe takes them (stamped per write)
//   node emit.mjs paced N GAP_MS   N lines, one write each, GAP_MS apart (stamped per line)
import { writeSync } from 'node:fs';

const [mode, countText, gapText] = process.argv.slice(2);
const count = Number(countText);
// The machine's monotonic clock, which the reading process shares (see nowMs in bench/lib/pipeline.ts).
const now = () => Number(process.hrtime.bigint()) / 1e6;

if (mode === 'flood') {
  const perWrite = 2048;
  for (let start = 0; start < count; start += perWrite) {
    const stamp = now().toFixed(3);
    let text = '';
    for (let sequence = start; sequence < Math.min(count, start + perWrite); sequence += 1) {
      text += `${sequence} ${stamp}\n`;
    }
    writeSync(1, text);
  }
} else {
  // Atomics.wait sleeps with sub-millisecond precision without burning a core.
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const gap = Number(gapText);
  for (let sequence = 0; sequence < count; sequence += 1) {
    writeSync(1, `${sequence} ${now().toFixed(3)}\n`);
    Atomics.wait(sleeper, 0, 0, gap);
  }
}
