// A shiki transformer for code blocks that prose links into line by line. A fence written as
// ```python anchor=py-rnn numbers its lines 1, 2, ... and gives them the ids py-rnn-1, py-rnn-2, ...;
// with anchor=ts-rnn@73 the first line is number 73 (its line in the source file) with the id ts-rnn-73.
// The annotated book code (content/00-book-code.md) links each line of the book's Python to the
// TypeScript line that does the same this way.
//
// The numbers are written into each line (not VitePress's separate line-number column), so they stay
// next to their line when long lines wrap; the copy button leaves them out (vp-copy-ignore).

import type { ShikiTransformer } from 'shiki';

const ANCHOR = /(?:^|\s)anchor=([a-z0-9-]+)(?:@(\d+))?(?=\s|$)/;

function anchorOf(meta: unknown): { id: string; start: number } | undefined {
  const raw = (meta as { __raw?: string } | undefined)?.__raw ?? '';
  const m = ANCHOR.exec(raw);
  return m ? { id: m[1], start: Number(m[2] ?? 1) } : undefined;
}

export const lineAnchors: ShikiTransformer = {
  name: 'rnn-scratch:line-anchors',
  pre(node) {
    if (anchorOf(this.options.meta)) this.addClassToHast(node, 'numbered');
  },
  line(node, line) {
    const anchor = anchorOf(this.options.meta);
    if (!anchor) return;
    const n = anchor.start + line - 1;
    node.properties.id = `${anchor.id}-${n}`;
    node.children.unshift({
      type: 'element',
      tagName: 'span',
      properties: { class: 'ln vp-copy-ignore', 'aria-hidden': 'true' },
      children: [{ type: 'text', value: String(n) }],
    });
  },
};
