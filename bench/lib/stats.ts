// Statistics and clocks for the benchmarks. Percentiles are always of one sample (one
// distribution); differences are taken per paired sample before any percentile, never between
// two percentiles.
import { readdirSync, readFileSync } from 'node:fs';

/** p-th percentile (0..100) of a sample, by the nearest-rank method; NaN for an empty sample. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

/** The largest value; NaN for an empty sample or one holding NaN (a run that measured nothing). */
export function worst(values: number[]): number {
  if (values.length === 0 || values.some((value) => Number.isNaN(value))) return NaN;
  return Math.max(...values);
}

/** The smallest value; NaN as for `worst`. */
export function least(values: number[]): number {
  if (values.length === 0 || values.some((value) => Number.isNaN(value))) return NaN;
  return Math.min(...values);
}

/**
 * Milliseconds on the machine's monotonic clock (CLOCK_MONOTONIC), comparable across processes
 * on one machine. Not `performance.timeOrigin + performance.now()`: each process estimates its
 * own time origin at start, and those estimates can differ by milliseconds.
 */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * CPU time (user + system) process `pid` has used so far, in ms, from /proc/<pid>/stat: every
 * thread it ever ran, ended ones included (the sidecar's pipe readers end with their child), in
 * 10 ms ticks.
 */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100; // USER_HZ on Linux
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/**
 * CPU time of process `pid`'s live threads, in ms with nanosecond precision (the sum of
 * /proc/<pid>/task/<tid>/schedstat), for seconds of mostly idle work that 10 ms ticks would blur.
 * Threads that end between two readings take their time with them: use it around work whose
 * threads persist (the sidecar's runtime workers and stdout writer while it streams).
 */
export function liveThreadsCpuMs(pid: number): number {
  let nanoseconds = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      nanoseconds += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended while we read
    }
  }
  return nanoseconds / 1e6;
}

/** Resident memory of process `pid` in MB (VmRSS from /proc/<pid>/status). */
export function residentMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}
