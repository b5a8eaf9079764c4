// bench/stream: the fake Ollama server streaming 100,000 tokens as fast as it can → sidecar →
// host relay → fake webview sink, beside the same stream fetched and parsed in-process by Node
// (what an extension without a sidecar does), delivering to the same sink. Prints tokens/s for
// both and their ratio, and time to first token for both over repeated short answers.
// Targets: ≥ 100,000 tokens/s end to end; time-to-first-token overhead < 2 ms at the median.
import type { ChannelEnvelope } from '../../src/protocol/webviewMessages';
import { startFakeProviderProcess, type FakeProvider } from '../lib/fakeProvider';
import { format, nowMs, percentile, startPipeline, type Pipeline } from '../lib/pipeline';

const TOKENS = 100_000;
const TTFT_RUNS = 40;
const MODEL = 'llama3.2:latest';
const TOKEN_TEXT = 'tok ';

interface StreamResult {
  seconds: number;
  firstTokenMs: number;
  tokens: number;
}

/** The product's path: generate_completion_stream on a channel relayed to the webview sink. */
async function throughSidecar(pipeline: Pipeline, fake: FakeProvider): Promise<StreamResult> {
  let characters = 0;
  let firstTokenAt = 0;
  let failure: string | undefined;
  let finish: () => void = () => {};
  const ended = new Promise<void>((resolve) => (finish = resolve));
  const id = pipeline.openChannel((envelope: ChannelEnvelope) => {
    const message = envelope.message as { event: string; data: { text?: string; message?: string } };
    if (message.event === 'Chunk' && message.data.text) {
      if (firstTokenAt === 0) firstTokenAt = nowMs();
      characters += message.data.text.length;
    }
    if (message.event === 'Error') failure = message.data.message;
    if (envelope.terminal) finish();
  });
  const started = nowMs();
  await pipeline.supervisor.request('generate_completion_stream', {
    provider: 'ollama',
    model: MODEL,
    messages: [{ role: 'user', content: 'Say something long.' }],
    host: fake.url,
    apiKey: '',
    tools: false,
    onEvent: id,
  });
  await ended;
  if (failure) throw new Error(`the stream failed: ${failure}`);
  return { seconds: (nowMs() - started) / 1000, firstTokenMs: firstTokenAt - started, tokens: characters / TOKEN_TEXT.length };
}

/** The in-process baseline: fetch /api/chat, split NDJSON, parse, post each read's text. */
async function inProcess(fake: FakeProvider): Promise<StreamResult> {
  const sink = (message: unknown) => JSON.stringify(message); // what postMessage pays
  const started = nowMs();
  const response = await fetch(`${fake.url}/api/chat`, {
    method: 'POST',
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Say something long.' }], stream: true }),
  });
  const decoder = new TextDecoder();
  let partial = '';
  let characters = 0;
  let firstTokenAt = 0;
  const reader = response.body!.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    const bytes = read.value;
    const lines = (partial + decoder.decode(bytes, { stream: true })).split('\n');
    partial = lines.pop() ?? '';
    let text = '';
    for (const line of lines) {
      if (!line) continue;
      const chunk = JSON.parse(line) as { message?: { content?: string } };
      text += chunk.message?.content ?? '';
    }
    if (text) {
      if (firstTokenAt === 0) firstTokenAt = nowMs();
      characters += text.length;
      sink({ type: 'channel', messages: [{ event: 'Chunk', data: { text } }] });
    }
  }
  return { seconds: (nowMs() - started) / 1000, firstTokenMs: firstTokenAt - started, tokens: characters / TOKEN_TEXT.length };
}

export async function main(root: string): Promise<void> {
  const fake = await startFakeProviderProcess(root);
  const pipeline = await startPipeline(root, [fake.url]);
  try {
    // Warm-up: JIT, the connection pool, and the sidecar's cached model facts.
    for (let run = 0; run < 3; run += 1) {
      await fake.script({ ollama: [{ tokens: 5_000 }, { tokens: 5_000 }] });
      await throughSidecar(pipeline, fake);
      await inProcess(fake);
    }

    await fake.script({ ollama: [{ tokens: TOKENS }] });
    const product = await throughSidecar(pipeline, fake);
    await fake.script({ ollama: [{ tokens: TOKENS }] });
    const baseline = await inProcess(fake);

    // Time to first token on short answers, the two paths interleaved so noise hits both alike.
    const productFirst: number[] = [];
    const baselineFirst: number[] = [];
    for (let run = 0; run < TTFT_RUNS; run += 1) {
      await fake.script({ ollama: [{ text: 'Hello there, this is a short answer.' }] });
      productFirst.push((await throughSidecar(pipeline, fake)).firstTokenMs);
      await fake.script({ ollama: [{ text: 'Hello there, this is a short answer.' }] });
      baselineFirst.push((await inProcess(fake)).firstTokenMs);
    }

    const productRate = product.tokens / product.seconds;
    const baselineRate = baseline.tokens / baseline.seconds;
    const productMedian = percentile(productFirst, 50);
    const baselineMedian = percentile(baselineFirst, 50);
    console.log(`tokens: ${format(product.tokens)} through the sidecar, ${format(baseline.tokens)} in-process`);
    console.log(`in-process Node (fetch + NDJSON parse): ${format(baselineRate)} tokens/s`);
    console.log(`sidecar → host relay → webview sink: ${format(productRate)} tokens/s (ratio ${format(productRate / baselineRate, 2)}×)`);
    console.log(`time to first token, median of ${TTFT_RUNS}: in-process ${format(baselineMedian, 2)} ms, through the sidecar ${format(productMedian, 2)} ms (p90 ${format(percentile(baselineFirst, 90), 2)} / ${format(percentile(productFirst, 90), 2)} ms)`);
    console.log(`time-to-first-token overhead at the median: ${format(productMedian - baselineMedian, 2)} ms`);
    const complete = product.tokens === TOKENS && baseline.tokens === TOKENS;
    console.log(`delivery: ${complete ? 'every token delivered on both paths' : 'TOKENS MISSING'}`);
    console.log(`targets: ≥ 100,000 tokens/s ${productRate >= 100_000 ? 'met' : 'NOT met'}; TTFT overhead < 2 ms ${productMedian - baselineMedian < 2 ? 'met' : 'NOT met'}`);
    if (!complete) process.exitCode = 1;
  } finally {
    await pipeline.stop();
    fake.stop();
  }
}
