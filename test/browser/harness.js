// The fake VS Code around the webview bundle: acquireVsCodeApi (state in sessionStorage, so it
// survives a reload as VS Code's does), a host that answers invokes from scriptable handlers, and
// helpers the tests call to push channel messages and host events. Plain browser JS, no build.
(function () {
  const params = new URLSearchParams(location.search);
  const theme = params.get('theme') || 'light';
  // ?csp=1 applies a policy as strict as the extension's (no inline script or style, no eval) and
  // records violations, to prove the bundle runs under it.
  window.cspViolations = [];
  window.cspDetails = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    window.cspDetails.push([e.sourceFile, e.lineNumber, e.columnNumber, e.sample]);
  });
  if (params.get('csp') === '1') {
    const meta = document.createElement('meta');
    meta.httpEquiv = 'Content-Security-Policy';
    meta.content = "default-src 'none'; script-src file:; style-src file: 'nonce-harness'; font-src file:; img-src file: data:; connect-src 'none'";
    document.head.appendChild(meta);
    // FAST reads the nonce for its one feature-detection <style> from this tag (the host should emit it too).
    const nonce = document.createElement('meta');
    nonce.setAttribute('property', 'csp-nonce');
    nonce.setAttribute('content', 'harness');
    document.head.appendChild(nonce);
  }
  const bodyClass = { light: 'vscode-light', dark: 'vscode-dark', hc: 'vscode-high-contrast' }[theme] || 'vscode-light';
  document.addEventListener('DOMContentLoaded', () => {
    document.body.classList.add(bodyClass);
    document.body.dataset.vscodeThemeKind = bodyClass;
  });

  const STATE_KEY = 'harness.vscodeState';
  const CHATS_KEY = 'harness.chats';
  const PENDING = Symbol('pending');
  const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
  const load = (key, fallback) => {
    const raw = sessionStorage.getItem(key);
    return raw ? JSON.parse(raw) : fallback;
  };

  const settings = {
    provider: 'ollama',
    model: 'qwen3:8b',
    ollamaHost: 'http://localhost:11434',
    openaiHost: 'https://api.openai.com/v1',
    anthropicHost: 'https://api.anthropic.com',
    toolPermissionMode: 'ask_every_time',
    toolAllowlist: [],
    maxToolCalls: 20,
    toolsEnabled: true,
    workspaceTrusted: true,
    hasApiKey: { ollama: false, openai: false, anthropic: true },
  };

  const harness = {
    PENDING,
    posted: [],
    invokes: [],
    streams: [],
    readies: [],
    stateWrites: 0,
    settings,
    models: [
      { id: 'qwen3:8b', name: 'qwen3:8b', capabilities: ['completion', 'tools', 'thinking'], family: 'qwen3', families: ['qwen3'], contextLength: 40960, parameterSize: '8.2B', provider: 'ollama-local' },
      { id: 'llava:7b', name: 'llava:7b', capabilities: ['completion', 'vision'], family: 'llama', families: ['llama'], contextLength: 4096, parameterSize: '7B', provider: 'ollama-local' },
      { id: 'gpt-oss:20b', name: 'gpt-oss:20b', capabilities: ['completion', 'tools', 'thinking'], family: 'gptoss', families: ['gptoss'], contextLength: 131072, parameterSize: '20.9B', provider: 'ollama-local' },
    ],
    presets: [
      { id: 'balanced', name: 'Balanced', description: 'General use', options: { temperature: 0.7, topP: 0.9 }, builtIn: true },
      { id: 'precise', name: 'Precise', description: 'Deterministic code', options: { temperature: 0.1, topK: 20 }, builtIn: true },
    ],
    files: ['src/app.ts', 'src/util/strings.ts', 'README.md', 'package.json'],
    chats: load(CHATS_KEY, {}),
    handlers: {},
    /** Messages the webview posted of one type. */
    ofType(type) {
      return this.posted.filter((m) => m.type === type);
    },
    /** Invokes of one command. */
    calls(command) {
      return this.invokes.filter((m) => m.command === command);
    },
    send(message) {
      window.postMessage(clone(message), '*');
    },
    respond(callId, result) {
      this.send({ type: 'response', callId, ok: true, result: result === undefined ? null : result });
    },
    reject(callId, error) {
      this.send({ type: 'response', callId, ok: false, error });
    },
    event(event) {
      this.send({ type: 'event', event });
    },
    /** Envelopes for `events` on channel `id`, indices from `start`; the terminal one is flagged. */
    envelopes(id, events, start = 0) {
      return events.map((message, i) => {
        const env = { id, index: start + i, message };
        if (message.event === 'Done' || message.event === 'Error') env.terminal = true;
        return env;
      });
    },
    /** Sends envelopes in the order given, `perBatch` to a host message. */
    emit(envelopes, perBatch = envelopes.length || 1) {
      for (let i = 0; i < envelopes.length; i += perBatch) this.send({ type: 'channel', messages: envelopes.slice(i, i + perBatch) });
    },
    /** The channel id of the latest generate_completion_stream. */
    lastStream() {
      return this.streams[this.streams.length - 1];
    },
    saveChats() {
      sessionStorage.setItem(CHATS_KEY, JSON.stringify(this.chats));
    },
  };

  const defaults = {
    get_settings: () => settings,
    update_setting: ({ key, value }) => {
      settings[key] = value;
      setTimeout(() => harness.event({ kind: 'settings', settings: clone(settings) }), 0);
      return null;
    },
    allow_tool: ({ tool }) => {
      if (!settings.toolAllowlist.includes(tool)) settings.toolAllowlist.push(tool);
      return null;
    },
    list_ollama_models: () => harness.models,
    // What the sidecar answers about a model (it alone knows the provider rules; this stands in).
    get_model_info: ({ provider, model }) => {
      const listed = provider === 'ollama' ? harness.models.find((m) => m.id === model) : { id: model, capabilities: provider === 'anthropic' ? ['completion', 'tools', 'thinking', 'vision'] : [] };
      const capabilities = listed?.capabilities ?? [];
      const thinks = capabilities.includes('thinking');
      const thinking = !thinks ? 'none' : listed.family === 'gptoss' ? 'always_levels' : provider === 'ollama' ? 'toggle' : 'levels';
      const numCtx = provider === 'ollama' && listed?.contextLength ? Math.min(listed.contextLength, 32768) : undefined;
      return { id: model, provider, capabilities, capabilitiesKnown: capabilities.length > 0, contextLength: listed?.contextLength, numCtx, thinking, source: 'harness', notes: [] };
    },
    list_openai_models: () => [{ id: 'gpt-4o' }, { id: 'gpt-4o-mini' }],
    list_anthropic_models: () => [{ id: 'claude-sonnet-4', displayName: 'Claude Sonnet 4', createdAt: '2025-05-14' }],
    load_model_presets: () => harness.presets,
    save_model_presets: ({ presets }) => {
      harness.presets = [...harness.presets.filter((p) => p.builtIn), ...presets];
      return null;
    },
    list_chats: () =>
      Object.values(harness.chats).map((c) => ({ chatId: c.chatId, title: c.title, createdAt: c.createdAt, updatedAt: c.updatedAt, messageCount: c.messages.length })),
    load_chat: ({ chatId }) => harness.chats[chatId] || null,
    save_chat: ({ chatId, title, fromIndex, messages, createdAt }) => {
      const existing = harness.chats[chatId] || { chatId, createdAt, messages: [] };
      existing.messages = existing.messages.slice(0, fromIndex).concat(messages);
      existing.title = title;
      existing.updatedAt = Date.now();
      harness.chats[chatId] = existing;
      harness.saveChats();
      return null;
    },
    delete_chat: ({ chatId }) => {
      delete harness.chats[chatId];
      harness.saveChats();
      return { deleted: true };
    },
    find_files: ({ query }) => harness.files.filter((f) => f.includes(query || '')),
    read_attachment: ({ path }) => ({ kind: 'file', path, languageId: path.endsWith('.ts') ? 'typescript' : undefined, content: `// contents of ${path}\nexport const x = 1;` }),
    generate_completion_stream: (args) => {
      harness.streams.push(args.onEvent.__channel__);
      return PENDING;
    },
    stop_generation_stream: () => null,
    apply_to_file: () => ({ applied: true }),
    list_checkpoints: () => harness.checkpoints ?? [],
    take_proposal_edit: () => harness.proposalEdit ?? { edited: false },
  };

  function answer(message) {
    const handler = harness.handlers[message.command] || defaults[message.command];
    let result;
    try {
      result = handler ? handler(clone(message.args), message) : null;
    } catch (error) {
      setTimeout(() => harness.reject(message.callId, { code: error.code ?? -32603, message: error.message ?? String(error) }), 0);
      return;
    }
    if (result === PENDING) return;
    Promise.resolve(result).then(
      (value) => setTimeout(() => harness.respond(message.callId, value), 0),
      (error) => setTimeout(() => harness.reject(message.callId, { code: error.code ?? -32603, message: error.message ?? String(error) }), 0),
    );
  }

  let acquired = false;
  window.acquireVsCodeApi = function () {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    return {
      postMessage(message) {
        const copy = clone(message);
        harness.posted.push(copy);
        if (copy.type === 'ready') harness.readies.push(copy);
        if (copy.type === 'invoke') {
          harness.invokes.push(copy);
          answer(copy);
        }
      },
      getState() {
        return load(STATE_KEY, undefined);
      },
      setState(state) {
        harness.stateWrites++;
        sessionStorage.setItem(STATE_KEY, JSON.stringify(state));
      },
    };
  };
  window.harness = harness;
})();
