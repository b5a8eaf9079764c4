// The product's real path from sidecar to webview, for benchmarks: the release sidecar under the
// host's SidecarSupervisor, its channel notifications fed to the host's ChannelRelay, and a fake
// webview sink that pays what postMessage pays (serializing each batch) and acks like the webview.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChannelRelay } from '../../src/relay/channelRelay';
import { SidecarSupervisor } from '../../src/sidecar/supervisor';
import { buildInitializeParams } from '../../src/sidecar/initialize';
import type { ChannelEnvelope, HostToWebview } from '../../src/protocol/webviewMessages';
import { nowMs } from './stats';

export interface Pipeline {
  supervisor: SidecarSupervisor;
  relay: ChannelRelay;
  workspace: string;
  /** The sidecar's process id (for its CPU time). */
  sidecarPid: number;
  /**
   * Opens a webview-owned channel whose messages go to `onMessage`, acked per batch. `receivedAt`
   * is when the host's connection handed the message over, before the relay (to split latency).
   */
  openChannel(onMessage: (envelope: ChannelEnvelope, receivedAt: number) => void): number;
  stop(): Promise<void>;
}

const SESSION = 'bench-webview';

export async function startPipeline(root: string, providerHosts: string[] = []): Promise<Pipeline> {
  const workspace = mkdtempSync(join(tmpdir(), 'prototyper-bench-'));
  const supervisor = new SidecarSupervisor({
    launch: async () => ({
      command: join(root, 'sidecar/target/release/prototyper-sidecar'),
      args: [],
      version: 'bench',
      description: 'release sidecar',
    }),
    initializeParams: () =>
      buildInitializeParams({
        storageDir: join(workspace, '.storage'),
        workspaceRoot: workspace,
        workspaceTrusted: true,
        providerHosts,
        packageManager: 'npm',
      }),
    logger: { info: () => {}, error: (message) => console.error(message), stderr: () => {} },
  });
  const relay = new ChannelRelay();
  const receivedAt = new Map<string, number>();
  supervisor.onChannel((envelope) => {
    receivedAt.set(`${envelope.id}:${envelope.index}`, nowMs());
    relay.fromSidecar(envelope);
  });
  supervisor.onExit((exit) => relay.sidecarExited(exit));

  const consumers = new Map<number, (envelope: ChannelEnvelope, receivedAt: number) => void>();
  let serializedBytes = 0;
  const sink = (message: HostToWebview) => {
    // postMessage serializes its argument; pay that cost here as a real webview would.
    serializedBytes += JSON.stringify(message).length;
    if (message.type !== 'channel') return;
    const lastIndex = new Map<number, number>();
    for (const envelope of message.messages) {
      const key = `${envelope.id}:${envelope.index}`;
      consumers.get(envelope.id)?.(envelope, receivedAt.get(key) ?? NaN);
      receivedAt.delete(key);
      lastIndex.set(envelope.id, envelope.index);
    }
    for (const [id, index] of lastIndex) relay.ack(SESSION, id, index);
  };
  relay.attach(SESSION, sink);
  relay.ready(SESSION, {});
  await supervisor.start();
  const sidecarPid = supervisor.status.pid;
  if (sidecarPid === undefined) throw new Error(`the sidecar did not start: ${supervisor.status.message ?? supervisor.status.state}`);

  return {
    supervisor,
    relay,
    workspace,
    sidecarPid,
    openChannel(onMessage) {
      const id = 1 + Math.floor(Math.random() * 2 ** 40);
      relay.registerChannel(SESSION, id);
      consumers.set(id, onMessage);
      return id;
    },
    async stop() {
      void serializedBytes;
      await supervisor.dispose();
    },
  };
}
