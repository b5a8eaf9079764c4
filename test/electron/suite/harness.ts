// A tiny test runner for the extension-host suite (no mocha in the dependencies): named async
// tests, run in order, each with a timeout; a failure fails the run with every failure listed.

export interface TestCase {
  name: string;
  run(): Promise<void> | void;
  timeoutMs?: number;
}

const tests: TestCase[] = [];

export function test(name: string, run: () => Promise<void> | void, timeoutMs = 20_000): void {
  tests.push({ name, run, timeoutMs });
}

export async function runAll(log: (line: string) => void = console.log): Promise<void> {
  const failures: string[] = [];
  for (const { name, run, timeoutMs } of tests) {
    const started = Date.now();
    try {
      await withTimeout(Promise.resolve().then(run), timeoutMs ?? 20_000, name);
      log(`  ✓ ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      failures.push(`${name}: ${detail}`);
      log(`  ✗ ${name}\n${detail}`);
    }
  }
  log(`electron: ${tests.length - failures.length} passed, ${failures.length} failed`);
  if (failures.length > 0) throw new Error(`${failures.length} test(s) failed:\n${failures.join('\n')}`);
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`"${name}" timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
