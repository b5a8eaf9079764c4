// The in-process baseline of bench/stream's paced runs, in a process of its own so the host's CPU
// figure is the relay's alone: fetches one Ollama chat stream from the fake provider, parses the
// NDJSON as an extension without a sidecar would, and records when each token ("w<n>") arrived on
// the machine's monotonic clock. Prints `{ arrivals: { <n>: ms }, cpuMs }` on stdout when the stream
// ends; cpuMs is this process's CPU from the request to the end of the stream: the floor of what
// any Node process pays to take the same stream token by token.
//   node direct-reader.mjs <provider url> <model>
const [url, model] = process.argv.slice(2);
const now = () => Number(process.hrtime.bigint()) / 1e6;

const cpuBefore = process.cpuUsage();
const response = await fetch(`${url}/api/chat`, {
  method: 'POST',
  headers: { 'x-bench-path': 'direct' },
  body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Say something.' }], stream: true }),
});
const arrivals = {};
const decoder = new TextDecoder();
let partial = '';
const reader = response.body.getReader();
for (let read = await reader.read(); !read.done; read = await reader.read()) {
  const arrival = now();
  const lines = (partial + decoder.decode(read.value, { stream: true })).split('\n');
  partial = lines.pop() ?? '';
  for (const line of lines) {
    if (!line) continue;
    const text = JSON.parse(line).message?.content ?? '';
    for (const match of text.matchAll(/w(\d+)/g)) arrivals[match[1]] ??= arrival;
  }
}
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(`${JSON.stringify({ arrivals, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
