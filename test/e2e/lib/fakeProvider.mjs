// Runs the scriptable fake provider server (test/fake-provider/server.mjs) as a child process for
// the end-to-end suite, and scripts its next answers over HTTP.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

const serverPath = resolve(import.meta.dirname, '../../fake-provider/server.mjs');

/** `port`: 0 for a free one, or the port of a provider that went down, to bring it back. */
export async function startFakeProvider({ port = 0, noModels = false } = {}) {
  const child = spawn(process.execPath, [serverPath, '--port', String(port), ...(noModels ? ['--no-models'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const firstLine = await new Promise((resolveLine, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', resolveLine);
    child.once('exit', (code) => reject(new Error(`fake provider exited with ${code}`)));
  });
  const listening = JSON.parse(firstLine).port;
  const base = `http://127.0.0.1:${listening}`;
  return {
    base,
    port: listening,
    /** Queues scripted answers; see the format at the top of test/fake-provider/server.mjs. */
    async script(body) {
      const response = await fetch(`${base}/__script`, { method: 'POST', body: JSON.stringify(body) });
      if (!response.ok) throw new Error(`scripting the fake provider failed: ${response.status} ${await response.text()}`);
    },
    /** Forgets queued answers and recorded requests. */
    async reset() {
      const response = await fetch(`${base}/__reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`resetting the fake provider failed: ${response.status}`);
    },
    async requests() {
      return (await fetch(`${base}/__requests`)).json();
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill();
      await exited;
    },
  };
}
