// Renders markdown incrementally: finished blocks are rendered once and memoized in groups; only
// the open tail block is parsed again when the streamed text grows. Code blocks get their actions.
import { memo } from 'preact/compat';
import { useRef } from 'preact/hooks';
import { GROUP_SIZE, splitBlocks, type Block, type SplitResult } from '../markdown/blocks';
import { renderMarkdown } from '../markdown/render';
import { CodeBlock } from './CodeBlock';

interface MarkdownProps {
  text: string;
  /** While true, the last block may still grow. */
  streaming: boolean;
}

export function Markdown({ text, streaming }: MarkdownProps) {
  const split = useRef<SplitResult | null>(null);
  // Each call scans only what was appended since the previous one.
  const input = streaming || text.endsWith('\n') ? text : `${text}\n`;
  split.current = splitBlocks(input, split.current?.state);
  const { groups, tail } = split.current;
  return (
    <div class="markdown">
      {groups.map((group) => (
        <BlockGroup key={group[0].key} blocks={group} />
      ))}
      {tail && <BlockView key={tail.key} block={streaming ? tail : { ...tail, closed: true }} previous={lastBlock(groups)} />}
    </div>
  );
}

function lastBlock(groups: Block[][]): Block | undefined {
  const group = groups[groups.length - 1];
  return group?.[group.length - 1];
}

/** A run of finished blocks; its array never changes once full, so it renders once. */
const BlockGroup = memo(function BlockGroup({ blocks }: { blocks: Block[] }) {
  // Its own box with content-visibility: once scrolled away, the browser skips its layout and paint.
  return (
    <div class={blocks.length >= GROUP_SIZE ? 'block-group full' : 'block-group'}>
      {blocks.map((block, i) => (
        <FinishedBlock key={block.key} block={block} previous={blocks[i - 1]} />
      ))}
    </div>
  );
});

const FinishedBlock = memo(
  function FinishedBlock({ block, previous }: { block: Block; previous?: Block }) {
    return <BlockView block={block} previous={previous} />;
  },
  (a, b) => a.block.key === b.block.key && a.block.text === b.block.text,
);

function BlockView({ block, previous }: { block: Block; previous?: Block }) {
  if (block.kind === 'code') return <CodeBlock code={block.code} lang={block.lang} closed={block.closed} context={previous?.text ?? ''} info={block.text.slice(0, block.text.indexOf('\n') + 1)} />;
  return <div class="md-block" dangerouslySetInnerHTML={{ __html: renderMarkdown(block.text, block.closed) }} />;
}
