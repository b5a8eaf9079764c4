// Provider health as the status bar sees it, against the real sidecar and a real fake provider:
// up with the model listed, the model missing, no models, a key missing, down (the provider
// stopped), and back up after it restarts on the same port; and what finished streams say.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFakeProvider } from '../../fake-provider/server.mjs';
import { ProviderHealth, type Health, type HealthTarget } from '../../../src/providerHealth';
import { buildInitializeParams } from '../../../src/sidecar/initialize';
import { SidecarSupervisor } from '../../../src/sidecar/supervisor';

const binary = ['release', 'debug'].map((p) => resolve(import.meta.dirname, `../../../sidecar/target/${p}/prototyper-sidecar`)).find((p) => existsSync(p));

let supervisor: SidecarSupervisor;
beforeAll(async () => {
  supervisor = new SidecarSupervisor({
    launch: async () => ({ command: binary!, args: [], version: 'test', description: binary! }),
    initializeParams: () =>
      buildInitializeParams({ storageDir: mkdtempSync(join(tmpdir(), 'prototyper-health-')), workspaceRoot: null, workspaceTrusted: true, providerHosts: [], packageManager: 'npm' }),
    logger: { info: () => {}, error: () => {}, stderr: () => {} },
  });
  await supervisor.start();
});
afterAll(async () => supervisor?.dispose());

function health(target: () => HealthTarget): { checker: ProviderHealth; seen: Health[] } {
  const seen: Health[] = [];
  const checker = new ProviderHealth({
    request: (method, params) => supervisor.request(method, params),
    target: async () => target(),
    onChange: (h) => seen.push(h),
    downIntervalMs: 50,
    upIntervalMs: 60_000,
  });
  checker.setSidecarReady(true);
  return { checker, seen };
}

const until = async (what: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe.skipIf(!binary)('ProviderHealth', () => {
  it('says up (model listed or not), no models, and needs a key', async () => {
    const fake = await startFakeProvider();
    try {
      const target = { provider: 'ollama' as const, host: fake.url, apiKey: '', model: 'qwen3:8b' };
      const { checker } = health(() => target);
      expect(await checker.check()).toEqual({ kind: 'up', models: 4, modelListed: true });
      target.model = 'not-there:1b';
      expect(await checker.check()).toEqual({ kind: 'up', models: 4, modelListed: false });
      await fetch(`${fake.url}/__config`, { method: 'POST', body: JSON.stringify({ models: { ollama: [] } }) });
      expect(await checker.check()).toEqual({ kind: 'noModels' });
      const cloud = health(() => ({ provider: 'anthropic', host: fake.url, apiKey: '', model: 'claude-haiku-4-5' }));
      expect(await cloud.checker.check()).toEqual({ kind: 'needsKey' });
      checker.dispose();
      cloud.checker.dispose();
    } finally {
      await fake.close();
    }
  });

  it('follows a provider going down and coming back on its own', async () => {
    let fake = await startFakeProvider();
    const port = fake.port;
    const target = { provider: 'ollama' as const, host: fake.url, apiKey: '', model: 'llama3.2:latest' };
    const { checker, seen } = health(() => target);
    try {
      expect((await checker.check()).kind).toBe('up');
      await fake.close();
      const down = await checker.check();
      expect(down).toMatchObject({ kind: 'down', code: 'provider_unreachable' });
      expect((down as { message: string }).message).toContain(`Ollama is not running at ${fake.url}`);
      // Polling while down notices the provider back, without being asked.
      fake = await startFakeProvider({ port });
      await until(() => checker.health.kind === 'up');
      expect(seen.map((h) => h.kind)).toEqual(['checking', 'up', 'down', 'up']);
    } finally {
      checker.dispose();
      await fake.close();
    }
  });

  it('learns from streams: an unreachable provider is down at once; an answer after that checks again', async () => {
    const fake = await startFakeProvider();
    try {
      const { checker } = health(() => ({ provider: 'ollama', host: fake.url, apiKey: '', model: 'llama3.2:latest' }));
      await checker.check();
      checker.observe({ id: 1, index: 3, terminal: true, message: { event: 'Error', data: { message: 'Ollama is not running at x — start it', code: 'provider_unreachable' } } });
      expect(checker.health).toEqual({ kind: 'down', message: 'Ollama is not running at x — start it', code: 'provider_unreachable' });
      // Other errors say nothing about reachability; non-terminal messages are ignored.
      checker.observe({ id: 2, index: 0, message: { event: 'Error', data: { code: 'provider_unreachable', message: 'no' } } });
      checker.observe({ id: 1, index: 4, terminal: true, message: { event: 'Done', data: {} } });
      await until(() => checker.health.kind === 'up');
      checker.dispose();
    } finally {
      await fake.close();
    }
  });
});
