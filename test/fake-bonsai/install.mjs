// Makes a folder look like a Bonsai Image Demo install for the end-to-end suite: its
// `.venv/bin/uvicorn` runs the fake image server (server.mjs, same folder) in `mode`.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const serverPath = resolve(import.meta.dirname, 'server.mjs');

/** Creates the fake install in `dir` and returns `dir`. */
export function createFakeInstall(dir, mode = 'healthy') {
  const bin = join(dir, '.venv/bin');
  mkdirSync(bin, { recursive: true });
  const uvicorn = join(bin, 'uvicorn');
  writeFileSync(uvicorn, `#!/bin/sh\nexec '${process.execPath}' '${serverPath}' --mode ${mode} "$@"\n`);
  chmodSync(uvicorn, 0o755);
  return dir;
}
