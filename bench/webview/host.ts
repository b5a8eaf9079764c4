// The extension host side of bench/webview: the release sidecar under the host's SidecarSupervisor,
// the host's real ChannelRelay, InvokeRouter and WebviewBridge, and an HTTP server standing in for
// VS Code's IPC to the webview. It serves the browser tests' harness page with the built webview
// bundle, posts to the page as server-sent events (each message serialized, as postMessage does),
// takes the page's messages by POST, and tells the page its monotonic clock for calibration.
import { createReadStream, existsSync, mkdtempSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import type { HostToWebview } from '../../src/protocol/webviewMessages';
import { ChannelRelay } from '../../src/relay/channelRelay';
import { InvokeRouter } from '../../src/relay/invokeRouter';
import { WebviewBridge } from '../../src/relay/webviewBridge';
import { buildInitializeParams } from '../../src/sidecar/initialize';
import { SidecarSupervisor } from '../../src/sidecar/supervisor';
import { nowMs } from '../lib/stats';

export const SESSION = 'bench-webview';

/** Folders of the repository the page may load from. */
const SERVED = ['test/browser/', 'dist/webview/', 'bench/webview/'];
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface BenchHost {
  /** The harness page, served by this host. */
  pageUrl: string;
  relay: ChannelRelay;
  sidecarPid: number;
  /**
   * When each token ("w<n>") reached the host from the sidecar and when it was posted to the page
   * (monotonic ms), since the last call; for the figures' breakdown.
   */
  takeStamps(): { received: number[]; posted: number[] };
  stop(): Promise<void>;
}

/** Notes the first time each token "w<n>" in `text` is seen. */
function stamp(into: number[], text: string, at: number): void {
  for (const match of text.matchAll(/w(\d+)/g)) {
    const token = Number(match[1]);
    if (into[token] === undefined) into[token] = at;
  }
}

/** The streamed text in a channel envelope, if it is a Chunk. */
function chunkText(message: unknown): string {
  const event = message as { event?: string; data?: { text?: string } };
  return event?.event === 'Chunk' ? (event.data?.text ?? '') : '';
}

export async function startHost(root: string, providerUrl: string): Promise<BenchHost> {
  const workspace = mkdtempSync(join(tmpdir(), 'prototyper-bench-webview-'));
  const supervisor = new SidecarSupervisor({
    launch: async () => ({ command: join(root, 'sidecar/target/release/prototyper-sidecar'), args: [], version: 'bench', description: 'release sidecar' }),
    initializeParams: () =>
      buildInitializeParams({ storageDir: join(workspace, '.storage'), workspaceRoot: workspace, workspaceTrusted: true, providerHosts: [providerUrl], packageManager: 'npm' }),
    logger: { info: () => {}, error: (message) => console.error(message), stderr: () => {} },
  });
  const relay = new ChannelRelay();
  let stamps = { received: [] as number[], posted: [] as number[] };
  supervisor.onChannel((envelope) => {
    stamp(stamps.received, chunkText(envelope.message), nowMs());
    relay.fromSidecar(envelope);
  });
  supervisor.onExit((exit) => relay.sidecarExited(exit));
  const router = new InvokeRouter({
    channels: relay,
    sidecar: supervisor,
    // The page's harness answers the host commands (settings, history); only sidecar calls come here.
    hostCommands: {},
    credentials: async () => ({ host: providerUrl, apiKey: '' }),
  });
  const bridge = new WebviewBridge(relay, router, { error: (message) => console.error(message) });

  // Host → webview: the open event stream, or a queue until the page connects.
  let events: ServerResponse | undefined;
  const queued: string[] = [];
  relay.attach(SESSION, (message: HostToWebview) => {
    const frame = `data: ${JSON.stringify(message)}\n\n`;
    if (message.type === 'channel') {
      const at = nowMs();
      for (const envelope of message.messages) stamp(stamps.posted, chunkText(envelope.message), at);
    }
    if (events && !events.destroyed) events.write(frame);
    else queued.push(frame);
  });

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://bench').pathname;
    if (path === '/host/events') {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      response.socket?.setNoDelay(true);
      events = response;
      for (const frame of queued.splice(0)) response.write(frame);
      return;
    }
    if (path === '/host/post' && request.method === 'POST') {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (data: string) => (body += data));
      request.on('end', () => {
        response.writeHead(204).end();
        for (const message of JSON.parse(body) as unknown[]) bridge.receive(SESSION, message);
      });
      return;
    }
    if (path === '/host/now') {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ now: nowMs() }));
      return;
    }
    const file = normalize(path).replace(/^\/+/, '');
    if (!SERVED.some((folder) => file.startsWith(folder)) || !existsSync(join(root, file))) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    createReadStream(join(root, file)).pipe(response);
  });
  server.on('connection', (socket) => socket.setNoDelay(true));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the bench host did not get a port');

  await supervisor.start();
  const sidecarPid = supervisor.status.pid;
  if (sidecarPid === undefined) throw new Error(`the sidecar did not start: ${supervisor.status.message ?? supervisor.status.state}`);

  return {
    pageUrl: `http://127.0.0.1:${address.port}/test/browser/harness.html?theme=dark`,
    relay,
    sidecarPid,
    takeStamps() {
      const taken = stamps;
      stamps = { received: [], posted: [] };
      return taken;
    },
    async stop() {
      events?.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await supervisor.dispose();
    },
  };
}
