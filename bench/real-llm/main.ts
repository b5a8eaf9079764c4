// bench/real-llm: a real OpenAI-compatible server (llama.cpp's, from llama-cpp-python, with
// SmolLM2-135M-Instruct; scripts/setup-real-llm.sh builds it) answering the same requests straight
// to Node's fetch and through the product's path (release sidecar → host relay → webview sink).
// Prints time to first token and tokens/s for both, and their ratio, as medians over the runs.
//
// Tokens/s are over generation, (tokens − 1) / (last token − first token), with the token count of
// the direct stream (llama.cpp sends one SSE chunk per token; at temperature 0 both paths get the
// same text, which is checked). Before each measured request a short unrelated one is sent, so
// neither path profits from the prompt the server evaluated for the other.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ChannelEnvelope } from '../../src/protocol/webviewMessages';
import { startPipeline, type Pipeline } from '../lib/pipeline';
import { Report } from '../lib/report';
import { median, nowMs } from '../lib/stats';

const MODEL = 'smollm2-135m-instruct';
const ROUNDS = 3;
const MAX_TOKENS = 96;
const PROMPTS = [
  'Name three colours of the rainbow.',
  'Write a haiku about the sea.',
  'Explain what a compiler does in two sentences.',
  'List four fruits that are red.',
  'Describe a lighthouse at night.',
];

interface Run {
  text: string;
  firstMs: number;
  lastMs: number;
  startedMs: number;
  tokens?: number;
  reported?: { tokensPerSecond?: number; timeToFirstTokenMs?: number; estimated?: boolean };
}

function cacheDir(): string {
  if (process.env.PROTOTYPER_REAL_LLM_CACHE) return process.env.PROTOTYPER_REAL_LLM_CACHE;
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'prototyper/real-llm');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startServer(cache: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    join(cache, 'venv/bin/python'),
    ['-m', 'llama_cpp.server', '--model', join(cache, 'model/SmolLM2-135M-Instruct.Q4_1.gguf'), '--model_alias', MODEL,
      // One thread: llama.cpp's threads wait for each other by spinning, which on two shared
      // cores makes a second thread many times slower.
      '--host', '127.0.0.1', '--port', String(port), '--n_ctx', '8192', '--n_threads', '1', '--n_threads_batch', '1'],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`llama_cpp.server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/v1/models`)).ok) return { url, child };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('llama_cpp.server did not answer within 120 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Straight to the server: the stream read and parsed by Node, as an extension without a sidecar would. */
async function direct(url: string, prompt: string): Promise<Run> {
  const startedMs = nowMs();
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: prompt }], stream: true, temperature: 0, max_tokens: MAX_TOKENS }),
  });
  const decoder = new TextDecoder();
  let partial = '';
  let text = '';
  let tokens = 0;
  let firstMs = 0;
  let lastMs = 0;
  const reader = response.body!.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    const lines = (partial + decoder.decode(read.value, { stream: true })).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('data: {')) continue;
      const content = (JSON.parse(line.slice(6)) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content;
      if (!content) continue;
      const now = nowMs();
      if (tokens === 0) firstMs = now;
      lastMs = now;
      tokens += 1;
      text += content;
    }
  }
  return { text, firstMs, lastMs, startedMs, tokens };
}

/** The product's path: generate_completion_stream relayed to the webview sink. */
async function throughSidecar(pipeline: Pipeline, url: string, prompt: string): Promise<Run> {
  let text = '';
  let firstMs = 0;
  let lastMs = 0;
  let failure: string | undefined;
  let reported: Run['reported'];
  let finish: () => void = () => {};
  const ended = new Promise<void>((resolve) => (finish = resolve));
  const id = pipeline.openChannel((envelope: ChannelEnvelope) => {
    const message = envelope.message as { event: string; data: { text?: string; message?: string; usage?: Run['reported'] } };
    if (message.event === 'Chunk' && message.data.text) {
      const now = nowMs();
      if (!firstMs) firstMs = now;
      lastMs = now;
      text += message.data.text;
    }
    if (message.event === 'Done') reported = message.data.usage;
    if (message.event === 'Error') failure = message.data.message;
    if (envelope.terminal) finish();
  });
  const startedMs = nowMs();
  await pipeline.supervisor.request('generate_completion_stream', {
    provider: 'openai', model: MODEL, host: url, apiKey: '', tools: false,
    messages: [{ role: 'user', content: prompt }],
    options: { temperature: 0, numPredict: MAX_TOKENS },
    onEvent: id,
  });
  await ended;
  if (failure) throw new Error(`the stream failed: ${failure}`);
  return { text, firstMs, lastMs, startedMs, reported };
}

/** A short unrelated request, so the next one evaluates its whole prompt. */
async function flush(url: string): Promise<void> {
  await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'system', content: 'Reply OK.' }, { role: 'user', content: String(Math.random()) }], max_tokens: 1 }),
  }).then((r) => r.text());
}

const rate = (tokens: number, run: Run) => (tokens - 1) / ((run.lastMs - run.firstMs) / 1000);

export async function main(root: string): Promise<Report> {
  const report = new Report('real-llm');
  const cache = cacheDir();
  if (!existsSync(join(cache, 'status')) || readFileSync(join(cache, 'status'), 'utf8').trim() !== 'ok') {
    execFileSync('bash', [join(root, 'scripts/setup-real-llm.sh')], { stdio: 'inherit' });
  }
  const status = readFileSync(join(cache, 'status'), 'utf8').trim();
  if (status !== 'ok') {
    report.check('the real llama.cpp server could be set up', false, status);
    return report;
  }
  const { url, child } = await startServer(cache);
  const pipeline = await startPipeline(root, [url]);
  const figures = { directTtft: [] as number[], sidecarTtft: [] as number[], directRate: [] as number[], sidecarRate: [] as number[], reportedRate: [] as number[] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const prompt of PROMPTS) {
        // Alternate which path goes first, so the server's state favours neither.
        const order = (round + PROMPTS.indexOf(prompt)) % 2 === 0 ? ['direct', 'sidecar'] : ['sidecar', 'direct'];
        const runs: Record<string, Run> = {};
        for (const path of order) {
          await flush(url);
          runs[path] = path === 'direct' ? await direct(url, prompt) : await throughSidecar(pipeline, url, prompt);
        }
        const { direct: d, sidecar: s } = runs;
        if (d.text !== s.text) throw new Error(`the two paths got different text for "${prompt}":\n${JSON.stringify(d.text)}\n${JSON.stringify(s.text)}`);
        const tokens = d.tokens ?? 0;
        if (tokens < 2) continue;
        figures.directTtft.push(d.firstMs - d.startedMs);
        figures.sidecarTtft.push(s.firstMs - s.startedMs);
        figures.directRate.push(rate(tokens, d));
        figures.sidecarRate.push(rate(tokens, s));
        if (s.reported?.tokensPerSecond) figures.reportedRate.push(s.reported.tokensPerSecond);
      }
    }
  } finally {
    await pipeline.stop();
    child.kill();
  }
  const runs = figures.directTtft.length;
  report.log(`llama.cpp server (llama-cpp-python 0.3.36, SmolLM2-135M-Instruct Q4_1, 1 thread), ${runs} requests per path, temperature 0, ≤ ${MAX_TOKENS} tokens; both paths got the same text every time`);
  // No targets: the model server's own speed dominates; the ratios say what the product adds.
  report.info('time to first token, direct (median)', median(figures.directTtft), 'ms');
  report.info('time to first token, through the sidecar (median)', median(figures.sidecarTtft), 'ms');
  report.info('time to first token, sidecar ÷ direct', median(figures.sidecarTtft) / median(figures.directTtft), '×');
  report.info('tokens/s over generation, direct (median)', median(figures.directRate), 'tok/s');
  report.info('tokens/s over generation, through the sidecar (median)', median(figures.sidecarRate), 'tok/s');
  report.info('tokens/s, sidecar ÷ direct', median(figures.sidecarRate) / median(figures.directRate), '×');
  report.info('tokens/s the sidecar reported in Done.usage (estimated: the server sends no counts)', median(figures.reportedRate), 'tok/s');
  return report;
}
