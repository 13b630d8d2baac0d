// Reverse-mode automatic differentiation for single numbers, in the style of karpathy/micrograd.
// Every Value remembers which Values made it and how to pass its gradient back to them.
// `backward()` visits the nodes from the loss back to the inputs and applies the chain rule.

export class Value {
  /** d(loss)/d(this). It starts at 0 and `backward()` fills it in. */
  grad = 0;
  /** Pushes this node's grad into the grads of its inputs. The op that made the node sets it. */
  backwardStep: () => void = () => {};

  constructor(
    readonly data: number,
    readonly inputs: readonly Value[] = [],
    readonly op = '',
    readonly label = '',
  ) {}

  add(other: Value | number): Value {
    const o = lift(other);
    const out = new Value(this.data + o.data, [this, o], '+');
    out.backwardStep = () => {
      // d(a+b)/da = 1 and d(a+b)/db = 1. We use `+=`, never `=`: if a value is used twice
      // (like W_hh at every time step), the two contributions add up.
      this.grad += out.grad;
      o.grad += out.grad;
    };
    return out;
  }

  mul(other: Value | number): Value {
    const o = lift(other);
    const out = new Value(this.data * o.data, [this, o], '*');
    out.backwardStep = () => {
      this.grad += o.data * out.grad; // d(a*b)/da = b
      o.grad += this.data * out.grad; // d(a*b)/db = a
    };
    return out;
  }

  tanh(): Value {
    const t = Math.tanh(this.data);
    const out = new Value(t, [this], 'tanh');
    out.backwardStep = () => {
      this.grad += (1 - t * t) * out.grad; // tanh'(x) = 1 - tanh(x)^2
    };
    return out;
  }

  exp(): Value {
    const e = Math.exp(this.data);
    const out = new Value(e, [this], 'exp');
    out.backwardStep = () => {
      this.grad += e * out.grad; // exp'(x) = exp(x)
    };
    return out;
  }

  log(): Value {
    const out = new Value(Math.log(this.data), [this], 'log');
    out.backwardStep = () => {
      this.grad += (1 / this.data) * out.grad; // log'(x) = 1/x
    };
    return out;
  }

  // The rest are built from the ops above, so they need no backward step of their own.
  neg(): Value {
    return this.mul(-1);
  }
  sub(other: Value | number): Value {
    return this.add(lift(other).neg());
  }

  /** Fill in `grad` for every Value that this one depends on. */
  backward(): void {
    // 1. Order the graph so that every node comes after its inputs (topological order).
    const order: Value[] = [];
    const seen = new Set<Value>();
    const visit = (v: Value) => {
      if (seen.has(v)) return;
      seen.add(v);
      for (const input of v.inputs) visit(input);
      order.push(v);
    };
    visit(this);
    // 2. d(loss)/d(loss) = 1. Then walk backwards: when we reach a node, all its users are done,
    //    so its grad is complete and can be pushed further back.
    for (const v of order) v.grad = 0;
    this.grad = 1;
    for (const v of order.reverse()) v.backwardStep();
  }
}

function lift(x: Value | number): Value {
  return typeof x === 'number' ? new Value(x) : x;
}

/** Softmax cross-entropy of a few logits against the index of the right class: -log softmax(z)[label]. */
export function crossEntropy(logits: readonly Value[], label: number): Value {
  let total = new Value(0);
  for (const z of logits) total = total.add(z.exp());
  return logits[label].sub(total.log()).neg();
}

/** Parameters of a tiny RNN: 2 tokens in the vocabulary, 1 hidden unit. */
export function tinyRnnParams() {
  return {
    W_xh: [new Value(0.5, [], '', 'W_xh[0]'), new Value(-0.4, [], '', 'W_xh[1]')],
    W_hh: new Value(0.9, [], '', 'W_hh'),
    b_h: new Value(0.1, [], '', 'b_h'),
    W_hq: [new Value(1.2, [], '', 'W_hq[0]'), new Value(-0.7, [], '', 'W_hq[1]')],
  };
}

/** Mean loss of the tiny RNN over a sequence: each step reads token x_t and must predict y_t. */
export function tinyRnnLoss(p: ReturnType<typeof tinyRnnParams>, xs: number[], ys: number[]): Value {
  let h = new Value(0); // the initial state, like init_rnn_state
  let loss = new Value(0);
  xs.forEach((x, t) => {
    // one_hot(x) @ W_xh just picks W_xh[x]. W_hh and b_h are reused at every step.
    h = p.W_xh[x].add(h.mul(p.W_hh)).add(p.b_h).tanh();
    const logits = p.W_hq.map((w) => h.mul(w));
    loss = loss.add(crossEntropy(logits, ys[t]));
  });
  return loss.mul(1 / xs.length);
}

/** What the docs page prints: the loss and each parameter's gradient for the sequence 0 -> 1 -> 1. */
export function demo(): string {
  const p = tinyRnnParams();
  const loss = tinyRnnLoss(p, [0, 1], [1, 1]);
  loss.backward();
  const lines = [`loss = ${loss.data.toFixed(6)}`];
  for (const v of [...p.W_xh, p.W_hh, p.b_h, ...p.W_hq])
    lines.push(`d loss / d ${v.label.padEnd(7)} = ${v.grad.toFixed(6)}`);
  return lines.join('\n');
}
