// Starts the scriptable fake provider (test/fake-provider/server.mjs) in its own process, as a real
// Ollama would be, so its writes do not share the measuring process's event loop.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

/** One request the fake provider received (see /__requests in its header). */
export interface RecordedRequest {
  provider: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  aborted: boolean;
  /** Paced streams: each token's write time, ms on the machine's monotonic clock. */
  writeTimes?: number[];
}

export interface FakeProvider {
  url: string;
  script(body: unknown): Promise<void>;
  /** Forgets queued answers and recorded requests. */
  reset(): Promise<void>;
  requests(): Promise<RecordedRequest[]>;
  stop(): void;
}

export async function startFakeProviderProcess(root: string): Promise<FakeProvider> {
  const child = spawn(process.execPath, [join(root, 'test/fake-provider/server.mjs'), '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const firstLine = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the fake provider exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${JSON.parse(firstLine).port}`;
  return {
    url,
    async script(body) {
      const response = await fetch(`${url}/__script`, { method: 'POST', body: JSON.stringify(body) });
      if (!response.ok) throw new Error(`scripting the fake provider failed: ${response.status}`);
    },
    async reset() {
      const response = await fetch(`${url}/__reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`resetting the fake provider failed: ${response.status}`);
    },
    async requests() {
      return (await (await fetch(`${url}/__requests`)).json()) as RecordedRequest[];
    },
    stop: () => child.kill(),
  };
}
