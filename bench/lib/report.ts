// What every benchmark hands back: one row per figure with its target and verdict (met, missed, or
// info for figures without a target). A figure that could not be measured (NaN) is missed, never
// met. bench/run.mjs prints each benchmark's table and exits non-zero when any row is missed.

export type Comparison = '<' | '<=' | '>=' | '>';

export interface Row {
  figure: string;
  /** The measured value in `unit`; null when it could not be measured. */
  value: number | null;
  unit: string;
  /** Absent for figures printed for context only. */
  target?: { op: Comparison; limit: number };
  verdict: 'met' | 'missed' | 'info';
  /** How it was measured, or why it missed (where the time went). */
  note?: string;
}

export interface BenchReport {
  bench: string;
  rows: Row[];
  /** Free-form lines printed above the table (setup, per-run figures). */
  lines: string[];
}

export class Report implements BenchReport {
  readonly rows: Row[] = [];
  readonly lines: string[] = [];

  constructor(readonly bench: string) {}

  /** A figure with a target; NaN or a non-finite value is a miss. */
  gate(figure: string, value: number, unit: string, op: Comparison, limit: number, note?: string): boolean {
    const measured = Number.isFinite(value);
    const met = measured && compare(value, op, limit);
    this.rows.push({ figure, value: measured ? value : null, unit, target: { op, limit }, verdict: met ? 'met' : 'missed', note });
    return met;
  }

  /** A yes/no check (delivery, visible text); missed when false. */
  check(figure: string, ok: boolean, note?: string): boolean {
    this.rows.push({ figure, value: ok ? 1 : 0, unit: 'check', target: { op: '>=', limit: 1 }, verdict: ok ? 'met' : 'missed', note });
    return ok;
  }

  /** A figure printed for context, with no target. */
  info(figure: string, value: number, unit: string, note?: string): void {
    this.rows.push({ figure, value: Number.isFinite(value) ? value : null, unit, verdict: 'info', note });
  }

  /** A line printed above the table. */
  log(line: string): void {
    this.lines.push(line);
    console.log(line);
  }
}

function compare(value: number, op: Comparison, limit: number): boolean {
  switch (op) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>=':
      return value >= limit;
    case '>':
      return value > limit;
  }
}

/** A value with its unit, in the precision its size needs. */
export function formatValue(value: number | null, unit: string): string {
  if (value === null) return 'not measured';
  if (unit === 'check') return value >= 1 ? 'yes' : 'NO';
  if (unit === '%') return `${format(value, value < 10 ? 2 : 1)}%`;
  if (unit === '×') return `${format(value, 2)}×`;
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  return `${format(value, digits)} ${unit}`;
}

export function formatTarget(row: Row): string {
  if (!row.target) return '';
  if (row.unit === 'check') return 'yes';
  return `${row.target.op} ${formatValue(row.target.limit, row.unit)}`;
}

/** The table: figure, value, target, verdict, note; columns padded to their widest cell. */
export function table(report: BenchReport): string {
  const header = ['figure', 'value', 'target', 'verdict'];
  const cells = report.rows.map((row) => [row.figure, formatValue(row.value, row.unit), formatTarget(row), row.verdict === 'missed' ? 'MISSED' : row.verdict]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => cell[column].length)));
  const line = (cell: string[]) => cell.map((text, column) => text.padEnd(widths[column])).join('  ').trimEnd();
  const out = [line(header), line(widths.map((width) => '-'.repeat(width)))];
  report.rows.forEach((row, i) => {
    out.push(line(cells[i]));
    if (row.note) out.push(`    ${row.note}`);
  });
  return out.join('\n');
}

export function format(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
