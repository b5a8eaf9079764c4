// A scriptable fake of the three model-provider APIs Prototyper speaks, for the sidecar's Rust
// integration tests, the TypeScript tests, the end-to-end suite and the benchmarks. Plain Node 20,
// no dependencies. It speaks the real wire formats: Ollama (/api/chat NDJSON, /api/tags, /api/show,
// /api/pull), OpenAI-compatible (/v1/chat/completions SSE with tool_calls deltas and usage,
// /v1/models) and Anthropic (/v1/messages SSE with message_start … message_stop, /v1/models).
//
// Start:   node test/fake-provider/server.mjs [--port N] [--no-models]   (default 0: a free port)
//          prints {"port":N} as its first stdout line, then serves on 127.0.0.1 until killed.
//          --no-models: an Ollama with nothing pulled yet (/api/tags lists no models, a chat gets
//          "model not found, try pulling it first"); /api/pull adds the model it pulls, and
//          /__reset keeps the mode.
// In-process: import { startFakeProvider } from './server.mjs';
//          const fake = await startFakeProvider({ noModels? }); fake.port; await fake.close();
//
// Control endpoints:
//   POST /__script   queue scripted answers. Body: an array (the shared queue) or an object
//                    { ollama: [...], openai: [...], anthropic: [...], any: [...], pull: [...] }.
//                    Each chat request takes the next entry of its provider's queue, else of `any`,
//                    else answers "Hello from the fake provider." Multi-turn agent loops therefore
//                    queue one entry per turn.
//   POST /__config   { requireKey?: string|null, models?: { ollama?, openai?, anthropic? } }
//                    requireKey: every provider request must carry this key (Bearer, or x-api-key
//                    for Anthropic), else 401 in the provider's error format.
//                    models.ollama: [{ name, family?, families?, parameterSize?, capabilities?,
//                    contextLength? }]; models.openai: [{ id, …any /v1/models fields }];
//                    models.anthropic: [{ id, displayName?, capabilities?, max_input_tokens? }].
//                    props: llama.cpp's GET /props answer; lmStudio: LM Studio's /api/v0/models
//                    entries (both answer 404 when unset, as on other servers).
//   POST /__reset    forget queues, config and recorded requests.
//   GET  /__requests the requests received so far: [{ provider, method, path, headers, body,
//                    aborted }] (`aborted`: the client closed the connection before the end).
//
// A chat script entry (every field optional):
//   text            the answer text
//   thinking        reasoning text, streamed before the text (Ollama `thinking`, OpenAI
//                   `reasoning_content`, Anthropic thinking block with a signature)
//   toolCalls       [{ name, arguments (object), id? }], sent after the text
//   chunkSize       characters per streamed piece (default 8)
//   delayMs         pause between pieces (default 0)
//   headersDelayMs  pause before the response starts
//   stallMs         pause of this length after `stallAfterChunks` pieces (default 1): an idle stall
//   status          answer with this HTTP status (401, 404, 429, 500, …) and a provider-shaped
//                   error body; `error` sets its message, `retryAfter` the Retry-After header (429)
//   malformedLine   after the first piece send a line that is not JSON (true, or the raw line)
//   midStreamError  after the first piece send the provider's in-stream error with this message
//   cutAfterChunks  close the connection after N pieces, without the final done/stop message
//   promptEvalCount prompt tokens to report (default: the request's characters / 4)
//   evalCount       completion tokens to report (default: the number of pieces)
//   doneReason      Ollama done_reason / OpenAI finish_reason / Anthropic stop_reason override
//   tokens          N: a fast stream of N pieces "tok " written in batches of `tokensPerWrite`
//                   (default 256) with no pauses, for throughput benchmarks
//   replay          a recorded body to answer with instead, by its path under test/fixtures/
//                   (real llama.cpp streams in real-streams/, Ollama's documented ones in ollama/);
//                   see replay.mjs for `replayStatus` and `replayPieces`
//   paced           (Ollama) { perSecond, count | pieces, group?, groupSize? }: a stream at model
//                   speed for benchmarks, one token per write on a steady schedule. `pieces` are the
//                   tokens; else `count` tokens "w0 w1 …" with a paragraph break after every 40th.
//                   Each token's write time (ms on the machine's monotonic clock, comparable across
//                   processes) goes to the request's `writeTimes` in /__requests. Responses whose
//                   entries name the same `group` wait until `groupSize` of them are open, then get
//                   each token in lockstep, so two paths can be compared token by token. Waits under
//                   2 ms block the server's event loop (for sub-millisecond pacing): run the server in
//                   its own process for this, as bench/ does.
// A pull script entry: { total (bytes, default 1000), steps (default 4), delayMs, status, error,
//   cutAfterChunks }.

import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { replay } from './replay.mjs';

const DEFAULT_OLLAMA_MODELS = [
  { name: 'llama3.2:latest', family: 'llama', parameterSize: '3.2B', capabilities: ['completion', 'tools'], contextLength: 131072 },
  { name: 'qwen3:8b', family: 'qwen3', parameterSize: '8.2B', capabilities: ['completion', 'tools', 'thinking'], contextLength: 40960 },
  { name: 'gemma3:1b', family: 'gemma3', parameterSize: '999.89M', capabilities: ['completion'], contextLength: 32768 },
  { name: 'llava:7b', family: 'llama', families: ['llama', 'clip'], parameterSize: '7B', capabilities: ['completion', 'vision'], contextLength: 4096 },
];
const DEFAULT_OPENAI_MODELS = [{ id: 'gpt-4o-mini' }, { id: 'local-model' }];
const DEFAULT_ANTHROPIC_MODELS = [
  { id: 'claude-sonnet-4-5', displayName: 'Claude Sonnet 4.5', createdAt: '2025-09-29T00:00:00Z' },
  { id: 'claude-haiku-4-5', displayName: 'Claude Haiku 4.5', createdAt: '2025-10-01T00:00:00Z' },
];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freshState(noModels = false) {
  return {
    queues: { ollama: [], openai: [], anthropic: [], any: [], pull: [] },
    requests: [],
    requireKey: null,
    props: null,
    lmStudio: null,
    models: { ollama: noModels ? [] : DEFAULT_OLLAMA_MODELS, openai: DEFAULT_OPENAI_MODELS, anthropic: DEFAULT_ANTHROPIC_MODELS },
  };
}

/** Starts the server; resolves to { port, url, close() }. `noModels`: Ollama has nothing pulled. */
export async function startFakeProvider({ port = 0, host = '127.0.0.1', noModels = false } = {}) {
  let state = freshState(noModels);
  const sockets = new Set();

  const server = http.createServer(async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url, 'http://fake');
    const path = url.pathname;
    try {
      if (path === '/__script' && req.method === 'POST') return json(res, 200, script(state, body));
      if (path === '/__config' && req.method === 'POST') return json(res, 200, configure(state, body));
      if (path === '/__reset' && req.method === 'POST') {
        state = freshState(noModels);
        return json(res, 200, { ok: true });
      }
      if (path === '/__requests') return json(res, 200, state.requests);

      const provider = path.startsWith('/api/') ? 'ollama' : path === '/v1/messages' || isAnthropicList(req, path) ? 'anthropic' : 'openai';
      const record = { provider, method: req.method, path, headers: req.headers, body: parseJson(body), aborted: false };
      state.requests.push(record);
      recordOf.set(res, record);
      // `close` on the response fires when it ends or the client goes away; only the latter counts.
      res.on('close', () => {
        if (!res.writableFinished) record.aborted = true;
      });
      if (state.requireKey != null && keyOf(req, provider) !== state.requireKey) {
        return providerError(res, provider, 401, provider === 'anthropic' ? 'invalid x-api-key' : 'invalid api key');
      }
      const request = record.body ?? {};
      switch (`${req.method} ${path}`) {
        case 'POST /api/chat': return await ollamaChat(state, req, res, request);
        case 'GET /api/tags': return json(res, 200, ollamaTags(state));
        case 'POST /api/show': return ollamaShow(state, res, request);
        case 'POST /api/pull': return await ollamaPull(state, res, request);
        case 'POST /v1/chat/completions': return await openaiChat(state, req, res, request);
        case 'POST /v1/messages': return await anthropicMessages(state, req, res, request);
        case 'GET /v1/models':
          return provider === 'anthropic'
            ? json(res, 200, anthropicModels(state))
            : json(res, 200, { object: 'list', data: state.models.openai.map((m) => ({ object: 'model', created: 1700000000, owned_by: 'fake', ...m })) });
        case 'GET /props':
          return state.props ? json(res, 200, state.props) : json(res, 404, { error: { message: 'File Not Found', type: 'not_found_error', code: 404 } });
        case 'GET /api/v0/models':
          return state.lmStudio ? json(res, 200, { object: 'list', data: state.lmStudio }) : json(res, 404, { error: 'Unexpected endpoint or method. (GET /api/v0/models)' });
        default:
          if (req.method === 'GET' && path.startsWith('/v1/models/') && req.headers['anthropic-version'] != null) {
            const model = anthropicModels(state).data.find((m) => m.id === decodeURIComponent(path.slice('/v1/models/'.length)));
            return model ? json(res, 200, model) : providerError(res, 'anthropic', 404, `model: ${path.slice(11)}`);
          }
          return json(res, 404, { error: `fake provider: no route ${req.method} ${path}` });
      }
    } catch (error) {
      if (!res.headersSent) json(res, 500, { error: `fake provider failed: ${error?.stack ?? error}` });
      else res.destroy();
    }
  });
  server.on('connection', (socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actualPort = server.address().port;
  return {
    port: actualPort,
    url: `http://${host}:${actualPort}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Control

function script(state, body) {
  const parsed = parseJson(body);
  if (Array.isArray(parsed)) {
    state.queues.any.push(...parsed);
  } else if (parsed && typeof parsed === 'object') {
    for (const key of Object.keys(parsed)) {
      if (!(key in state.queues)) throw new Error(`unknown script queue "${key}" (ollama, openai, anthropic, any, pull)`);
      const entries = Array.isArray(parsed[key]) ? parsed[key] : [parsed[key]];
      state.queues[key].push(...entries);
    }
  } else {
    throw new Error('POST /__script wants a JSON array or object');
  }
  return { queued: Object.fromEntries(Object.entries(state.queues).map(([k, v]) => [k, v.length])) };
}

function configure(state, body) {
  const config = parseJson(body) ?? {};
  if ('requireKey' in config) state.requireKey = config.requireKey;
  if ('props' in config) state.props = config.props;
  if ('lmStudio' in config) state.lmStudio = config.lmStudio;
  if (config.models) state.models = { ...state.models, ...config.models };
  return { ok: true };
}

function nextEntry(state, provider) {
  return state.queues[provider].shift() ?? state.queues.any.shift() ?? { text: 'Hello from the fake provider.' };
}

function keyOf(req, provider) {
  if (provider === 'anthropic') return req.headers['x-api-key'] ?? null;
  const auth = req.headers.authorization ?? '';
  return auth.startsWith('Bearer ') ? auth.slice(7) : null;
}

function isAnthropicList(req, path) {
  return path === '/v1/models' && req.headers['anthropic-version'] != null;
}

// ---------------------------------------------------------------------------------------------
// Shared streaming machinery

/** Splits an entry into pieces: thinking pieces, then text pieces. */
function pieces(entry) {
  const size = Math.max(1, entry.chunkSize ?? 8);
  const out = [];
  for (const [kind, text] of [['thinking', entry.thinking], ['text', entry.text]]) {
    if (!text) continue;
    for (let i = 0; i < text.length; i += size) out.push({ kind, text: text.slice(i, i + size) });
  }
  return out;
}

function promptChars(request) {
  return JSON.stringify(request.messages ?? []).length + JSON.stringify(request.system ?? '').length;
}

/**
 * Writes `parts` (strings) honouring delayMs, stallMs, cutAfterChunks, malformedLine and
 * midStreamError. Returns false when the stream was cut or the client went away.
 */
async function writeParts(res, entry, parts, { malformed, midError }) {
  const stallAfter = entry.stallAfterChunks ?? 1;
  for (let i = 0; i < parts.length; i++) {
    if (res.destroyed) return false;
    if (entry.cutAfterChunks != null && i >= entry.cutAfterChunks) {
      cut(res);
      return false;
    }
    if (entry.stallMs && i === stallAfter) await sleep(entry.stallMs);
    if (res.destroyed) return false;
    res.write(parts[i]);
    if (i === 0 && entry.malformedLine) res.write(typeof entry.malformedLine === 'string' ? entry.malformedLine + '\n' : malformed);
    if (i === 0 && entry.midStreamError) {
      res.end(midError(entry.midStreamError));
      return false;
    }
    if (entry.delayMs) await sleep(entry.delayMs);
  }
  if (entry.cutAfterChunks != null && entry.cutAfterChunks >= parts.length) {
    cut(res);
    return false;
  }
  if (entry.stallMs && parts.length <= stallAfter) await sleep(entry.stallMs);
  return !res.destroyed;
}

/**
 * Closes the connection mid-response, like a server that crashed: what was written still goes out
 * (end() flushes, destroy() would drop it), but the response never finishes.
 */
function cut(res) {
  res.socket?.end();
}

/** Writes `count` copies of `line` in large batches as fast as the socket takes them. */
async function writeFast(res, line, count, perWrite) {
  const batch = line.repeat(perWrite);
  let left = count;
  while (left > 0 && !res.destroyed) {
    const n = Math.min(perWrite, left);
    const ok = res.write(n === perWrite ? batch : line.repeat(n));
    left -= n;
    if (!ok) await new Promise((resolve) => res.once('drain', resolve));
  }
  return !res.destroyed;
}

async function beforeResponse(res, entry, provider) {
  if (entry.headersDelayMs) await sleep(entry.headersDelayMs);
  if (entry.status && entry.status >= 400) {
    providerError(res, provider, entry.status, entry.error ?? defaultErrorMessage(entry.status), entry.retryAfter);
    return false;
  }
  return true;
}

function defaultErrorMessage(status) {
  return { 401: 'invalid api key', 403: 'forbidden', 404: 'model not found', 429: 'rate limit exceeded', 500: 'internal server error', 503: 'overloaded' }[status] ?? `error ${status}`;
}

function providerError(res, provider, status, message, retryAfter) {
  const headers = retryAfter != null ? { 'retry-after': String(retryAfter) } : {};
  if (provider === 'ollama') return json(res, status, { error: message }, headers);
  if (provider === 'openai') return json(res, status, { error: { message, type: errorType(status), code: null } }, headers);
  return json(res, status, { type: 'error', error: { type: errorType(status), message } }, headers);
}

function errorType(status) {
  return { 400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error', 429: 'rate_limit_error', 529: 'overloaded_error' }[status] ?? 'api_error';
}

// ---------------------------------------------------------------------------------------------
// Ollama

function ollamaModel(state, name) {
  const wanted = name?.includes(':') ? name : `${name}:latest`;
  return state.models.ollama.find((m) => m.name === name || m.name === wanted);
}

function ollamaTags(state) {
  return {
    models: state.models.ollama.map((m) => ({
      name: m.name,
      model: m.name,
      modified_at: '2025-01-01T00:00:00Z',
      size: 1000000,
      digest: 'sha256:' + 'a'.repeat(64),
      details: { format: 'gguf', family: m.family ?? 'llama', families: m.families ?? [m.family ?? 'llama'], parameter_size: m.parameterSize ?? '1B', quantization_level: 'Q4_K_M' },
    })),
  };
}

function ollamaShow(state, res, request) {
  const model = ollamaModel(state, request.model ?? request.name);
  if (!model) return json(res, 404, { error: `model '${request.model ?? request.name}' not found` });
  const arch = model.family ?? 'llama';
  const modelInfo = { 'general.architecture': arch, 'general.parameter_count': 1000000 };
  if (model.contextLength != null) modelInfo[`${arch}.context_length`] = model.contextLength;
  return json(res, 200, {
    modelfile: '', parameters: '', template: '{{ .Prompt }}',
    details: { format: 'gguf', family: arch, families: model.families ?? [arch], parameter_size: model.parameterSize ?? '1B', quantization_level: 'Q4_K_M' },
    model_info: modelInfo,
    capabilities: model.capabilities ?? ['completion'],
  });
}

async function ollamaChat(state, req, res, request) {
  if (!ollamaModel(state, request.model)) {
    return json(res, 404, { error: `model "${request.model}" not found, try pulling it first` });
  }
  const entry = nextEntry(state, 'ollama');
  if (entry.replay) return replay(res, entry);
  if (!(await beforeResponse(res, entry, 'ollama'))) return;
  const model = request.model;
  const created_at = new Date().toISOString();
  const line = (message, extra = {}) => JSON.stringify({ model, created_at, message: { role: 'assistant', content: '', ...message }, done: false, ...extra }) + '\n';
  const promptEvalCount = entry.promptEvalCount ?? Math.ceil(promptChars(request) / 4);
  const done = (evalCount) =>
    JSON.stringify({
      model, created_at, message: { role: 'assistant', content: '' }, done: true,
      done_reason: entry.doneReason ?? 'stop', total_duration: 1000000, load_duration: 1000,
      prompt_eval_count: promptEvalCount, prompt_eval_duration: 1000, eval_count: evalCount, eval_duration: Math.max(1, evalCount) * 1000000,
    }) + '\n';
  const toolCalls = (entry.toolCalls ?? []).map((call, index) => ({ id: call.id ?? `call_${index}_${Math.random().toString(36).slice(2, 8)}`, function: { index, name: call.name, arguments: call.arguments ?? {} } }));

  if (request.stream === false) {
    const message = { role: 'assistant', content: entry.text ?? '', ...(entry.thinking ? { thinking: entry.thinking } : {}), ...(toolCalls.length ? { tool_calls: toolCalls } : {}) };
    return json(res, 200, { ...JSON.parse(done(1)), message });
  }
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  if (entry.tokens) {
    if (await writeFast(res, line({ content: 'tok ' }), entry.tokens, entry.tokensPerWrite ?? 256)) res.end(done(entry.tokens));
    return;
  }
  if (entry.paced) {
    await pacedStream(res, entry.paced, (text) => line({ content: text }), done);
    return;
  }
  const ps = pieces(entry);
  const parts = ps.map((p) => line(p.kind === 'text' ? { content: p.text } : { thinking: p.text }));
  if (toolCalls.length) parts.push(line({ tool_calls: toolCalls }));
  const ok = await writeParts(res, entry, parts, { malformed: 'this line is not JSON\n', midError: (m) => JSON.stringify({ error: m }) + '\n' });
  if (ok) res.end(done(entry.evalCount ?? Math.max(1, ps.length)));
}

async function ollamaPull(state, res, request) {
  const entry = state.queues.pull.shift() ?? {};
  if (!(await beforeResponse(res, entry, 'ollama'))) return;
  const total = entry.total ?? 1000;
  const steps = Math.max(1, entry.steps ?? 4);
  const digest = 'sha256:' + 'b'.repeat(64);
  const lines = [JSON.stringify({ status: 'pulling manifest' }) + '\n'];
  for (let i = 1; i <= steps; i++) lines.push(JSON.stringify({ status: `pulling ${digest.slice(7, 19)}`, digest, total, completed: Math.round((total * i) / steps) }) + '\n');
  if (entry.error) lines.push(JSON.stringify({ error: entry.error }) + '\n');
  else lines.push(...['verifying sha256 digest', 'writing manifest'].map((status) => JSON.stringify({ status }) + '\n'));
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  const ok = await writeParts(res, entry, lines, { malformed: 'not json\n', midError: (m) => JSON.stringify({ error: m }) + '\n' });
  if (!ok) return;
  if (entry.error || !request.model) return res.end();
  // As Ollama does, the model is listed by the time "success" is sent.
  const name = request.model.includes(':') ? request.model : `${request.model}:latest`;
  if (!ollamaModel(state, name)) state.models.ollama = [...state.models.ollama, { name, family: 'llama', capabilities: ['completion', 'tools'], contextLength: 8192 }];
  res.end(JSON.stringify({ status: 'success' }) + '\n');
}

// ---------------------------------------------------------------------------------------------
// Paced streams (benchmarks at model speed)

/** Groups of paced responses waiting for their last member: name → { members }. */
const pacedGroups = new Map();
/** Each response's entry in /__requests, where a paced stream records its write times. */
const recordOf = new WeakMap();

function pacedPieces(paced) {
  if (Array.isArray(paced.pieces)) return paced.pieces;
  return Array.from({ length: paced.count ?? 100 }, (_, i) => `w${i}${i % 40 === 39 ? '\n\n' : ' '}`);
}

/**
 * Streams `paced` to `res` (`frame(text)` is one token in the provider's format, `finish(count)`
 * the closing line), alone or in lockstep with the other members of its group.
 */
function pacedStream(res, paced, frame, finish) {
  const record = recordOf.get(res) ?? {};
  record.writeTimes = [];
  const member = { res, record, frame, finish };
  if (!paced.group) return runPaced(paced, [member]);
  let group = pacedGroups.get(paced.group);
  if (!group) pacedGroups.set(paced.group, (group = { members: [] }));
  group.members.push(member);
  if (group.members.length < (paced.groupSize ?? 2)) return new Promise((resolve) => (member.resolve = resolve));
  pacedGroups.delete(paced.group);
  return runPaced(paced, group.members).then(() => group.members.forEach((m) => m.resolve?.()));
}

async function runPaced(paced, members) {
  const pieces = pacedPieces(paced);
  const gap = 1000 / Math.max(1, paced.perSecond ?? 50);
  const monotonic = () => Number(process.hrtime.bigint()) / 1e6;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const start = monotonic();
  for (let i = 0; i < pieces.length; i++) {
    const due = start + i * gap;
    // Long waits free the event loop; the last stretch sleeps precisely (setTimeout is ±1 ms).
    if (due - monotonic() > 2) await sleep(due - monotonic() - 1.5);
    const left = due - monotonic();
    if (left > 0) Atomics.wait(sleeper, 0, 0, left);
    for (const { res, record, frame } of members) {
      if (res.destroyed) continue;
      record.writeTimes.push(monotonic());
      res.write(frame(pieces[i]));
      // A chunked response is corked until the next tick; send this token now, on its own.
      res.socket?.uncork();
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  for (const { res, finish } of members) if (!res.destroyed) res.end(finish(pieces.length));
}

// ---------------------------------------------------------------------------------------------
// OpenAI-compatible

async function openaiChat(state, req, res, request) {
  const entry = nextEntry(state, 'openai');
  if (entry.replay) return replay(res, entry);
  if (!(await beforeResponse(res, entry, 'openai'))) return;
  const base = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: request.model ?? 'fake' };
  const promptTokens = entry.promptEvalCount ?? Math.ceil(promptChars(request) / 4);
  const toolCalls = (entry.toolCalls ?? []).map((call, index) => ({ id: call.id ?? `call_${index}_${Math.random().toString(36).slice(2, 8)}`, name: call.name, arguments: JSON.stringify(call.arguments ?? {}) }));
  const finish = entry.doneReason ?? (toolCalls.length ? 'tool_calls' : 'stop');

  if (request.stream !== true) {
    const message = { role: 'assistant', content: entry.text ?? '', ...(toolCalls.length ? { tool_calls: toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) } : {}) };
    return json(res, 200, { ...base, object: 'chat.completion', choices: [{ index: 0, message, finish_reason: finish }], usage: { prompt_tokens: promptTokens, completion_tokens: 1, total_tokens: promptTokens + 1 } });
  }
  const event = (delta, finishReason = null) => `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
  const tail = (completion) => {
    let out = event({}, finish);
    if (request.stream_options?.include_usage) out += `data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion } })}\n\n`;
    return out + 'data: [DONE]\n\n';
  };
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  if (entry.tokens) {
    res.write(event({ role: 'assistant', content: '' }));
    if (await writeFast(res, event({ content: 'tok ' }), entry.tokens, entry.tokensPerWrite ?? 256)) res.end(tail(entry.tokens));
    return;
  }
  const ps = pieces(entry);
  const parts = [event({ role: 'assistant', content: '' })];
  for (const p of ps) parts.push(event(p.kind === 'text' ? { content: p.text } : { reasoning_content: p.text }));
  const size = Math.max(1, entry.chunkSize ?? 8);
  toolCalls.forEach((call, index) => {
    parts.push(event({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }));
    for (let i = 0; i < call.arguments.length; i += size) parts.push(event({ tool_calls: [{ index, function: { arguments: call.arguments.slice(i, i + size) } }] }));
  });
  const ok = await writeParts(res, entry, parts, {
    malformed: 'data: {this is not json\n\n',
    midError: (m) => `data: ${JSON.stringify({ error: { message: m, type: 'server_error' } })}\n\n`,
  });
  if (ok) res.end(tail(entry.evalCount ?? Math.max(1, ps.length)));
}

// ---------------------------------------------------------------------------------------------
// Anthropic

function anthropicModels(state) {
  const data = state.models.anthropic.map((m) => ({
    type: 'model', id: m.id, display_name: m.displayName ?? m.id, created_at: m.createdAt ?? '2025-01-01T00:00:00Z',
    ...(m.capabilities ? { capabilities: m.capabilities } : {}), ...(m.max_input_tokens ? { max_input_tokens: m.max_input_tokens } : {}),
  }));
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}

async function anthropicMessages(state, req, res, request) {
  const entry = nextEntry(state, 'anthropic');
  if (entry.replay) return replay(res, entry);
  if (!(await beforeResponse(res, entry, 'anthropic'))) return;
  const inputTokens = entry.promptEvalCount ?? Math.ceil(promptChars(request) / 4);
  const toolCalls = (entry.toolCalls ?? []).map((call, index) => ({ id: call.id ?? `toolu_${index}_${Math.random().toString(36).slice(2, 8)}`, name: call.name, input: call.arguments ?? {} }));
  const stopReason = entry.doneReason ?? (toolCalls.length ? 'tool_use' : 'end_turn');
  if (request.stream !== true) {
    const content = [...(entry.text ? [{ type: 'text', text: entry.text }] : []), ...toolCalls.map((c) => ({ type: 'tool_use', ...c }))];
    return json(res, 200, { id: 'msg_fake', type: 'message', role: 'assistant', model: request.model, content, stop_reason: stopReason, usage: { input_tokens: inputTokens, output_tokens: 1 } });
  }
  const sse = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const start = sse('message_start', { message: { id: 'msg_fake', type: 'message', role: 'assistant', model: request.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: inputTokens, output_tokens: 1 } } });
  const tail = (output) => sse('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: output } }) + sse('message_stop', {});
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  if (entry.tokens) {
    res.write(start + sse('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
    if (await writeFast(res, sse('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'tok ' } }), entry.tokens, entry.tokensPerWrite ?? 256)) {
      res.end(sse('content_block_stop', { index: 0 }) + tail(entry.tokens));
    }
    return;
  }
  const parts = [start];
  const size = Math.max(1, entry.chunkSize ?? 8);
  let index = 0;
  const ps = pieces(entry);
  for (const kind of ['thinking', 'text']) {
    const mine = ps.filter((p) => p.kind === kind);
    if (!mine.length) continue;
    parts.push(sse('content_block_start', { index, content_block: kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '' } }));
    if (kind === 'thinking') parts.push(sse('ping', {}));
    for (const p of mine) parts.push(sse('content_block_delta', { index, delta: kind === 'text' ? { type: 'text_delta', text: p.text } : { type: 'thinking_delta', thinking: p.text } }));
    if (kind === 'thinking') parts.push(sse('content_block_delta', { index, delta: { type: 'signature_delta', signature: 'fake-signature' } }));
    parts.push(sse('content_block_stop', { index }));
    index++;
  }
  for (const call of toolCalls) {
    parts.push(sse('content_block_start', { index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } }));
    const input = JSON.stringify(call.input);
    for (let i = 0; i < input.length; i += size) parts.push(sse('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: input.slice(i, i + size) } }));
    parts.push(sse('content_block_stop', { index }));
    index++;
  }
  const ok = await writeParts(res, entry, parts, {
    malformed: 'event: content_block_delta\ndata: {this is not json\n\n',
    midError: (m) => sse('error', { error: { type: 'overloaded_error', message: m } }),
  });
  if (ok) res.end(tail(entry.evalCount ?? Math.max(1, ps.length)));
}

// ---------------------------------------------------------------------------------------------
// Helpers

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

function parseJson(text) {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function json(res, status, value, headers = {}) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf('--port');
  const port = at >= 0 ? Number(process.argv[at + 1]) : 0;
  const fake = await startFakeProvider({ port, noModels: process.argv.includes('--no-models') });
  process.stdout.write(JSON.stringify({ port: fake.port }) + '\n');
  const stop = () => fake.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
