// A fake Bonsai image server for the tests: speaks `GET /backends` and `POST /generate` the way the
// Bonsai Image Demo's FastAPI app does, and misbehaves on request. A fake install's
// `.venv/bin/uvicorn` runs it with the real server's arguments (`scripts.local_backend:app --port
// <p>`), after its own `--mode <mode>`:
//
//   healthy          (default) healthy at once; /generate answers a PNG of the asked size after 300 ms
//   slow-start       answers `healthy: false` for the first 2 s, then healthy
//   never-healthy    always `healthy: false`
//   exit-at-start    prints an error and exits with code 3 before listening
//   die-on-generate  exits with code 7 when /generate is called, without answering
//   not-png          /generate answers 200 with a JSON error body
//   slow             /generate takes 60 s (for cancellation and "already in progress")
//
// On start it writes `fake-bonsai-started.json` into its working folder (argv, the two
// environment variables, cwd), so tests can check how it was started. It prints a few log lines
// on stdout and stderr, as uvicorn does.
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
};
const mode = option('--mode', 'healthy');
const port = Number(option('--port', process.env.BACKEND_PORT ?? '8000'));
const startedAt = Date.now();

writeFileSync(
  'fake-bonsai-started.json',
  JSON.stringify({ argv: args, env: { BACKEND_PORT: process.env.BACKEND_PORT, BONSAI_VARIANT: process.env.BONSAI_VARIANT }, cwd: process.cwd(), pid: process.pid }),
);
console.log(`INFO:     Started server process [${process.pid}] (fake Bonsai, mode ${mode})`);
console.error(`INFO:     Loading model bonsai-image-4B-${process.env.BONSAI_VARIANT ?? 'ternary'}-gemlite`);

if (mode === 'exit-at-start') {
  console.error('ERROR:    models/bonsai-image-4B-ternary-gemlite not found');
  process.exit(3);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
/** A width×height RGB PNG: a diagonal gradient whose hue comes from the seed. */
function png(width, height, seed) {
  const [r0, g0, b0] = [(seed * 53) % 256, (seed * 97) % 256, (seed * 193) % 256];
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3);
    for (let x = 0; x < width; x++) {
      const t = (x + y) / (width + height);
      raw[row + 1 + x * 3] = Math.min(255, r0 / 2 + t * 160);
      raw[row + 2 + x * 3] = Math.min(255, g0 / 2 + t * 90);
      raw[row + 3 + x * 3] = Math.min(255, b0 / 2 + (1 - t) * 120);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const healthy = () => mode !== 'never-healthy' && (mode !== 'slow-start' || Date.now() - startedAt > 2000);
const json = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const server = createServer((req, res) => {
  let body = '';
  req.on('data', (data) => (body += data));
  req.on('end', () => {
    if (req.method === 'GET' && req.url === '/backends') {
      console.log(`INFO:     127.0.0.1 - "GET /backends HTTP/1.1" 200`);
      json(res, 200, { healthy: healthy(), kind: 'mflux', supported_families: ['flux', 'bonsai'], default_family: 'bonsai' });
      return;
    }
    if (req.method === 'POST' && req.url === '/generate') {
      let request;
      try {
        request = JSON.parse(body);
      } catch {
        json(res, 422, { detail: 'body is not JSON' });
        return;
      }
      console.log(`INFO:     generating "${request.prompt}" ${request.width}x${request.height}, ${request.steps} steps, seed ${request.seed}`);
      if (mode === 'die-on-generate') {
        console.error('ERROR:    Metal device lost during generation');
        process.exit(7);
      }
      if (mode === 'not-png') {
        json(res, 200, { detail: 'model not loaded' });
        return;
      }
      const delay = mode === 'slow' ? 60_000 : 300;
      const timer = setTimeout(() => {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(png(Math.min(request.width, 1024), Math.min(request.height, 1024), Number(request.seed) || 1));
      }, delay);
      // The client went away (a cancelled generation): answer nothing.
      res.on('close', () => clearTimeout(timer));
      return;
    }
    json(res, 404, { detail: 'Not Found' });
  });
});
server.listen(port, '127.0.0.1', () => console.log(`INFO:     Uvicorn running on http://127.0.0.1:${port} (Press CTRL+C to quit)`));
process.on('SIGTERM', () => {
  console.log('INFO:     Shutting down');
  process.exit(0);
});
