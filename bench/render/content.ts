// Generates the render bench's inputs: a long markdown answer with a given number of tokens and
// code blocks, split into model-sized tokens, with the words a reader should see once it is
// rendered (for the check that the view shows the whole answer), and a long chat history.

const WORDS = ('the parser reads each line of input and keeps a small state machine so that code blocks lists and tables are '
  + 'recognised while the text is still arriving from the model which means the view can render what is finished and leave '
  + 'the rest for later when more tokens come in over the channel').split(' ');

const CODE = [
  ['ts', 'export function parse(input: string): Record<string, string> {\n  const out: Record<string, string> = {};\n  for (const pair of input.split("&")) {\n    const [key, value = ""] = pair.split("=");\n    out[decodeURIComponent(key)] = decodeURIComponent(value);\n  }\n  return out;\n}'],
  ['python', 'def fib(n: int) -> int:\n    """Returns the n-th Fibonacci number."""\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n\nprint([fib(i) for i in range(10)])'],
  ['rust', 'fn main() {\n    let words: Vec<&str> = "a b c".split_whitespace().collect();\n    for (i, w) in words.iter().enumerate() {\n        println!("{i}: {w}");\n    }\n}'],
  ['json', '{\n  "name": "demo",\n  "version": "1.0.0",\n  "scripts": { "test": "vitest run" },\n  "dependencies": { "preact": "^10.29.0" }\n}'],
  ['bash', 'set -euo pipefail\nnpm ci\nnpm run build\nfor f in dist/*.js; do\n  echo "$f: $(wc -c < "$f") bytes"\ndone'],
];

export interface Answer {
  text: string;
  tokens: string[];
  /** The words shown once rendered, in order (markdown syntax, link targets and fences left out). */
  visibleWords: string[];
}

/** The words of `text`: runs of letters, digits and underscores. */
export function words(text: string): string[] {
  return text.match(/[A-Za-z0-9_]+/g) ?? [];
}

function sentence(seed: number, length: number): string {
  const out: string[] = [];
  for (let i = 0; i < length; i++) out.push(WORDS[(seed * 7 + i * 13) % WORDS.length]);
  out[0] = out[0][0].toUpperCase() + out[0].slice(1);
  return `${out.join(' ')}.`;
}

/** Splits text into model-like tokens: a word with its following space, or punctuation runs. */
export function tokenize(text: string): string[] {
  return text.match(/\s*[A-Za-z0-9_]+|\s*[^A-Za-z0-9_\s]+|\s+/g) ?? [];
}

/** A markdown answer of about `tokens` tokens with `codeBlocks` fenced blocks spread evenly. */
export function makeAnswer(tokens: number, codeBlocks: number): Answer {
  const sections: string[] = [];
  const visible: string[] = [];
  let count = 0;
  let seed = 1;
  let blocks = 0;
  const perSection = Math.ceil(tokens / codeBlocks);
  while (count < tokens) {
    const parts = [`## Step ${seed}`, ''];
    visible.push(`Step ${seed}`);
    let sectionTokens = 0;
    while (sectionTokens < perSection && count + sectionTokens < tokens) {
      const kind = seed % 4;
      let piece: string;
      if (kind === 0) {
        const items = [1, 2, 3].map((n) => sentence(seed + n, 8));
        piece = items.map((item) => `- ${item}`).join('\n');
        visible.push(...items);
      } else if (kind === 1) {
        piece = `${sentence(seed, 18)} Use \`parse()\` with **care** and see [the docs](https://example.com/${seed}).`;
        visible.push(`${sentence(seed, 18)} Use parse() with care and see the docs.`);
      } else if (kind === 2) {
        piece = `| name | value |\n|---|---|\n| a${seed} | ${seed} |\n| b${seed} | ${seed * 2} |`;
        visible.push(`name value a${seed} ${seed} b${seed} ${seed * 2}`);
      } else {
        piece = `${sentence(seed, 24)} ${sentence(seed + 3, 12)}`;
        visible.push(piece);
      }
      parts.push(piece, '');
      sectionTokens += tokenize(piece).length + 1;
      seed++;
    }
    if (blocks < codeBlocks) {
      const [lang, code] = CODE[blocks % CODE.length];
      parts.push(`\`\`\`${lang}`, code, '```', '');
      visible.push(code);
      sectionTokens += tokenize(code).length + 4;
      blocks++;
    }
    sections.push(parts.join('\n'));
    count += sectionTokens;
  }
  // Sections run out before the blocks when code is long; the rest close the answer.
  for (; blocks < codeBlocks; blocks++) {
    const [lang, code] = CODE[blocks % CODE.length];
    sections.push(`\`\`\`${lang}\n${code}\n\`\`\`\n`);
    visible.push(code);
  }
  const text = sections.join('\n');
  return { text, tokens: tokenize(text), visibleWords: words(visible.join(' ')) };
}

/** A stored chat of `count` messages, alternating user and assistant, with some code. */
export function makeHistory(count: number) {
  const messages: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) messages.push({ id: `m${i}`, role: 'user', content: `Question ${i}: ${sentence(i, 12)}` });
    else {
      const code = i % 6 === 1 ? `\n\n\`\`\`ts\nconst answer${i} = ${i};\nexport default answer${i};\n\`\`\`\n` : '';
      const content = `${sentence(i, 30)}\n\n- ${sentence(i + 1, 8)}\n- ${sentence(i + 2, 8)}${code}\n${sentence(i + 3, 16)}`;
      messages.push({ id: `m${i}`, role: 'assistant', content, parts: [{ kind: 'text', text: content, thinking: '' }], usage: { promptTokens: 100, completionTokens: 80, timeToFirstTokenMs: 300, tokensPerSecond: 40, totalDurationMs: 2000, truncated: false } });
    }
  }
  return { chatId: 'history-bench', title: 'A long chat', createdAt: Date.now() - 86400000, updatedAt: Date.now(), messageCount: count, messages };
}
