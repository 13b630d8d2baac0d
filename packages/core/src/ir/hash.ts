// A stable structural hash of a graph: two graphs with the same nodes, attributes, constants, shapes
// and names hash the same, in any process. Backends key their compiled executables on it.
// (64-bit FNV-1a in two 32-bit halves: no dependencies, so it also runs in a browser.)

import type { Graph } from './graph.js';

class Fnv64 {
  private hi = 0xcbf29ce4;
  private lo = 0x84222325;

  byte(b: number): void {
    this.lo ^= b & 0xff;
    // multiply the 64-bit state by the FNV prime 0x100000001b3 = 2^40 + 0x1b3
    const lo = this.lo;
    const hi = this.hi;
    const pLo = 0x1b3;
    const loProd = lo * pLo;
    const carry = Math.floor(loProd / 0x100000000);
    const newLo = loProd >>> 0;
    const newHi = (hi * pLo + carry + ((lo << 8) >>> 0)) >>> 0;
    this.lo = newLo;
    this.hi = newHi;
  }

  string(s: string): void {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      this.byte(c);
      this.byte(c >>> 8);
    }
    this.byte(0);
  }

  bytes(view: Uint8Array): void {
    for (let i = 0; i < view.length; i++) this.byte(view[i]);
  }

  hex(): string {
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }
}

export function hashGraph(graph: Graph): string {
  const h = new Fnv64();
  for (const n of graph.nodes) {
    h.string(n.op);
    h.string(n.dtype);
    h.string(n.shape.join(','));
    h.string(n.inputs.join(','));
    if (n.op === 'input') h.string(n.name);
    else if (n.op === 'constant')
      h.bytes(new Uint8Array(n.value.data.buffer, n.value.data.byteOffset, n.value.data.byteLength));
    else h.string(JSON.stringify(n.attrs));
  }
  for (const i of graph.inputs) h.string(`in:${i.name}=${i.id}`);
  for (const o of graph.outputs) h.string(`out:${o.name}=${o.id}`);
  return h.hex();
}
