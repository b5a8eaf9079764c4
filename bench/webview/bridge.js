// Page side of bench/webview, injected before the browser tests' harness page runs: connects the
// webview to a real extension host (bench/webview/host.ts) over HTTP, the way VS Code connects it
// to the extension host over IPC, and records when each streamed token is painted.
//
// - The harness's fake VS Code API still answers the host commands that are not under measurement
//   (settings, model lists, history); `ready`, `ack`, `release` and the stream's own invokes go to
//   the real host, serialized at post time and sent in order. What the host posts arrives as
//   server-sent events and is dispatched as the `message` events VS Code delivers.
// - `benchPaint` watches the answer after every frame is painted (a task queued from an animation
//   frame callback runs after that frame's paint) and notes when each token "w<n>" first showed.
(() => {
  const FORWARDED = new Set(['generate_completion_stream', 'stop_generation_stream']);

  // ---- webview → host: one POST at a time, holding whatever was posted meanwhile, in order.
  const outbox = [];
  let sending = false;
  async function flush() {
    sending = true;
    while (outbox.length > 0) {
      const batch = `[${outbox.splice(0).join(',')}]`;
      try {
        await fetch('/host/post', { method: 'POST', body: batch, headers: { 'content-type': 'application/json' } });
      } catch (error) {
        console.error('bench bridge: posting to the host failed', error);
      }
    }
    sending = false;
  }
  function toHost(message) {
    outbox.push(JSON.stringify(message));
    if (!sending) void flush();
  }

  // ---- host → webview.
  const events = new EventSource('/host/events');
  events.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === 'channel' && window.benchPaint.running) {
      const now = performance.now();
      for (const envelope of message.messages) {
        const text = envelope.message?.event === 'Chunk' ? envelope.message.data?.text ?? '' : '';
        for (const found of text.matchAll(/w(\d+)/g)) window.benchPaint.received[found[1]] ??= now;
      }
    }
    window.postMessage(message, '*');
  };

  // harness.js assigns window.acquireVsCodeApi; keep its function and hand out a wrapped API.
  let harnessAcquire;
  Object.defineProperty(window, 'acquireVsCodeApi', {
    configurable: true,
    get: () => () => {
      const api = harnessAcquire();
      return {
        getState: () => api.getState(),
        setState: (state) => api.setState(state),
        postMessage(message) {
          const forwarded = message?.type !== 'invoke' || FORWARDED.has(message.command);
          if (forwarded) toHost(message);
          // The harness keeps its records (readies, acks) and answers the commands not forwarded.
          if (!forwarded || message.type !== 'invoke') api.postMessage(message);
        },
      };
    },
    set: (acquire) => {
      harnessAcquire = acquire;
    },
  });

  // ---- paint times.
  /** The last "w<n>" in `node`, searching its children from the end (the open block is last). */
  function lastToken(node) {
    for (let child = node.lastElementChild; child; child = child.previousElementSibling) {
      const found = child.textContent.match(/w\d+/g);
      if (found) return Number(found[found.length - 1].slice(1));
    }
    return -1;
  }

  window.benchPaint = {
    painted: [],
    /** When each token's message reached the page, before the webview's own work. */
    received: [],
    running: false,
    /** Starts watching the newest answer; `painted[n]` becomes token n's paint time (performance.now). */
    start() {
      this.painted = [];
      this.received = [];
      this.running = true;
      const watch = () =>
        requestAnimationFrame(() =>
          setTimeout(() => {
            const answers = document.querySelectorAll('.message.assistant .markdown');
            const answer = answers[answers.length - 1];
            const shown = answer ? lastToken(answer) : -1;
            const now = performance.now();
            for (let token = this.painted.length; token <= shown; token++) this.painted.push(now);
            if (this.running) watch();
          }, 0),
        );
      watch();
    },
    stop() {
      this.running = false;
      return { painted: this.painted, received: this.received };
    },
  };

  /** Offset from this page's clock to the host's monotonic clock, from the round trip with least delay. */
  window.benchClockOffset = async (samples = 30) => {
    let best = { roundTrip: Infinity, offset: NaN };
    for (let i = 0; i < samples; i++) {
      const sent = performance.now();
      const { now } = await (await fetch('/host/now', { cache: 'no-store' })).json();
      const received = performance.now();
      if (received - sent < best.roundTrip) best = { roundTrip: received - sent, offset: now - (sent + received) / 2 };
    }
    return best;
  };
})();
