// The book's complete 8.5 code (PyTorch), line by line, with a note on every line in both languages, the
// shapes at the book's sizes, and the TypeScript line that does the same.
//
// Quoted from d2l-zh, "Dive into Deep Learning" (https://zh.d2l.ai), chapter_recurrent-neural-networks/
// rnn-scratch.md (PyTorch tab) and, for `sgd`, linear-regression-scratch.md; licensed under Apache-2.0.
//
// Each entry's `py` holds the book's line(s) exactly; the listing on the page is these lines joined, so
// the code and its notes cannot drift apart. `shapes` use the symbols B, T, V, H (rendered with the book's
// sizes); `ts` is a fragment of one line of the TypeScript listings shown beside the code (the generator
// finds it and links to it, and fails if it is gone).

export interface Note {
  /** The book's line, or several lines of one statement. '' for a blank line (no note). */
  readonly py: string | readonly string[];
  readonly zh?: string;
  readonly en?: string;
  /** [what, dims], e.g. ['W_xh', 'V, H'] -> `W_xh`: (V, H) = (28, 512). */
  readonly shapes?: readonly (readonly [string, string])[];
  /** Fragments of TypeScript lines that do the same (first match in the listings of the page). */
  readonly ts?: string | readonly string[];
}

export interface Listing {
  /** Path under packages/core/src. */
  readonly file: string;
  readonly region: string;
}

export interface BookFunction {
  /** Used in ids and file names: book-code-<id>.<lang>.md, anchors py-<id>-<n>, ts-<id>-<n>. */
  readonly id: string;
  /** The book's name for it. */
  readonly name: string;
  readonly listings: readonly Listing[];
  readonly notes: readonly Note[];
}

export const BOOK_FUNCTIONS: readonly BookFunction[] = [
  {
    id: 'get-params',
    name: 'get_params',
    listings: [{ file: 'nn/rnn.ts', region: 'params' }],
    notes: [
      {
        py: 'def get_params(vocab_size, num_hiddens, device):',
        zh: '造出模型的 5 个参数。参数：词表大小 V、隐藏单元数 H、放在哪个设备上（CPU 或 GPU）。',
        en: 'Creates the model’s 5 parameters, given the vocabulary size V, the number of hidden units H and the device (CPU or GPU).',
        ts: 'export function getParams(',
      },
      {
        py: '    num_inputs = num_outputs = vocab_size',
        zh: '输入是独热向量（长 V），输出是对 V 个字符的打分，所以输入维数和输出维数都等于词表大小。',
        en: 'The input is a one-hot vector (length V) and the output scores the V characters, so both sizes equal the vocabulary size.',
        ts: 'const V = vocabSize;',
      },
      { py: '' },
      {
        py: '    def normal(shape):',
        zh: '一个小工具：造一个给定形状的随机张量。',
        en: 'A small helper: a random tensor of the given shape.',
        ts: 'const normal = (shape: number[]) => {',
      },
      {
        py: '        return torch.randn(size=shape, device=device) * 0.01',
        zh: '`randn` 给标准正态分布 $\\mathcal{N}(0, 1)$ 的数，乘 0.01 变成 $\\mathcal{N}(0, 0.01^2)$。权重很小，tanh 一开始不会饱和，模型的初始预测接近均匀瞎猜（[第 3 页](./03-params-state)）。',
        en: '`randn` draws from the standard normal $\\mathcal{N}(0, 1)$; times 0.01 gives $\\mathcal{N}(0, 0.01^2)$. Small weights keep tanh out of saturation and make the first predictions close to a uniform guess ([page 3](./03-params-state)).',
        ts: 'rng.normal() * 0.01',
      },
      { py: '' },
      {
        py: '    # 隐藏层参数',
        zh: '注释：“隐藏层参数”。下面三个参数计算新的隐状态。',
        en: 'Comment: “hidden-layer parameters”. The next three compute the new hidden state.',
      },
      {
        py: '    W_xh = normal((num_inputs, num_hiddens))',
        zh: '输入 → 隐状态。第 i 行是字符 i 写进记忆的内容：独热向量乘 `W_xh` 就是取出这一行（[第 2 页](./02-one-hot)）。',
        en: 'Input → state. Row i is what character i writes into the memory: a one-hot vector times `W_xh` picks that row ([page 2](./02-one-hot)).',
        shapes: [['W_xh', 'V, H']],
        ts: 'const W_xh = normal(shapes.W_xh);',
      },
      {
        py: '    W_hh = normal((num_hiddens, num_hiddens))',
        zh: '旧隐状态 → 新隐状态。每个时间步都用它，所以它的梯度是所有时间步贡献之和；参数里数它最大。',
        en: 'Old state → new state. It is used at every time step, so its gradient sums the contributions of all steps; it is by far the largest parameter.',
        shapes: [['W_hh', 'H, H']],
        ts: 'const W_hh = normal(shapes.W_hh);',
      },
      {
        py: '    b_h = d2l.zeros(num_hiddens, device=device)',
        zh: '隐藏层的偏置，从 0 开始（权重已经是随机的，偏置为 0 不会让各单元一模一样）。`d2l.zeros` 就是 `torch.zeros`。',
        en: 'The hidden bias, starting at 0 (the weights are already random, so zero biases do not make the units identical). `d2l.zeros` is `torch.zeros`.',
        shapes: [['b_h', 'H']],
        ts: 'b_h: tensor(dtype, shapes.b_h)',
      },
      {
        py: '    # 输出层参数',
        zh: '注释：“输出层参数”。下面两个参数从隐状态读出打分。',
        en: 'Comment: “output-layer parameters”. The next two read scores out of the state.',
      },
      {
        py: '    W_hq = normal((num_hiddens, num_outputs))',
        zh: '隐状态 → 输出。第 j 列给“下一个字符是 j”打分。',
        en: 'State → output. Column j scores “the next character is j”.',
        shapes: [['W_hq', 'H, V']],
        ts: 'const W_hq = normal(shapes.W_hq);',
      },
      {
        py: '    b_q = d2l.zeros(num_outputs, device=device)',
        zh: '输出层的偏置：每个字符的基础分数。',
        en: 'The output bias: a base score for every character.',
        shapes: [['b_q', 'V']],
        ts: 'b_q: tensor(dtype, shapes.b_q)',
      },
      {
        py: '    # 附加梯度',
        zh: '注释：“附加梯度”，即让 PyTorch 为这些张量记录梯度。',
        en: 'Comment: “attach gradients”, i.e. have PyTorch record gradients for these tensors.',
      },
      {
        py: '    params = [W_xh, W_hh, b_h, W_hq, b_q]',
        zh: '5 个参数排成列表。顺序要记住：`rnn` 按这个顺序拆包，`grad_clipping` 和 `sgd` 按它遍历。',
        en: 'The 5 parameters as a list. The order matters: `rnn` unpacks in this order; `grad_clipping` and `sgd` walk it.',
        ts: "export const PARAM_NAMES = ['W_xh', 'W_hh', 'b_h', 'W_hq', 'b_q'] as const;",
      },
      {
        py: '    for param in params:',
        zh: '对每个参数：',
        en: 'For every parameter:',
      },
      {
        py: '        param.requires_grad_(True)',
        zh: '告诉 autograd：之后 `l.backward()` 要把梯度存进 `param.grad`。我们没有这一步：对哪些输入求导，由 `gradients(loss, paramList)` 的参数列表决定（[第 8 页](./08-autodiff)）。',
        en: 'Tells autograd that `l.backward()` must store gradients in `param.grad`. We have no such step: which inputs get gradients is the list passed to `gradients(loss, paramList)` ([page 8](./08-autodiff)).',
        ts: 'const grads = gradients(loss, paramList);',
      },
      {
        py: '    return params',
        zh: '返回列表。`RNNModelScratch` 把它存成 `net.params`，训练更新的就是它。',
        en: 'Returns the list. `RNNModelScratch` keeps it as `net.params`, which training updates.',
        ts: 'return { W_xh, W_hh, b_h: tensor(dtype, shapes.b_h), W_hq, b_q: tensor(dtype, shapes.b_q) };',
      },
    ],
  },
  {
    id: 'init-rnn-state',
    name: 'init_rnn_state',
    listings: [{ file: 'nn/rnn.ts', region: 'state' }],
    notes: [
      {
        py: 'def init_rnn_state(batch_size, num_hiddens, device):',
        zh: '造第一个时间步之前的隐状态 $\\mathbf{H}_0$。',
        en: 'Creates the hidden state before the first time step, $\\mathbf{H}_0$.',
        ts: 'export function initRnnState(',
      },
      {
        py: '    return (d2l.zeros((batch_size, num_hiddens), device=device), )',
        zh: '全零矩阵，每条序列一行。结尾的 `, )` 让它成为只有一个元素的**元组** `(H,)`：第 9 章的 LSTM 有两个状态张量 `(H, C)`，统一成“张量的元组”，同一个训练循环就能两者通用。我们的 RNN 只有一个状态，直接返回这个张量。',
        en: 'All zeros, one row per sequence. The trailing `, )` makes it a one-element **tuple** `(H,)`: chapter 9’s LSTM has two state tensors `(H, C)`, and with “a tuple of tensors” the same training loop serves both. Our RNN has one state and returns the tensor itself.',
        shapes: [['H_0', 'B, H']],
        ts: 'return tensor(dtype, [batchSize, numHiddens]);',
      },
    ],
  },
  {
    id: 'rnn',
    name: 'rnn',
    listings: [
      { file: 'nn/model.ts', region: 'forward' },
      { file: 'nn/rnn.ts', region: 'step' },
    ],
    notes: [
      {
        py: 'def rnn(inputs, state, params):',
        zh: '整个前向：读入 T 个时间步，返回所有时间步的输出和最后的隐状态。',
        en: 'The whole forward pass: reads T time steps, returns the outputs of all steps and the last state.',
        ts: 'export function modelForward(',
      },
      {
        py: '    # inputs的形状：(时间步数量，批量大小，词表大小)',
        zh: '注释：`inputs` 的形状是（时间步数，批量大小，词表大小）：已经转置并独热编码（见 `RNNModelScratch.__call__`）。',
        en: 'Comment: `inputs` has shape (time steps, batch size, vocabulary size): already transposed and one-hot encoded (see `RNNModelScratch.__call__`).',
        shapes: [['inputs', 'T, B, V']],
      },
      {
        py: '    W_xh, W_hh, b_h, W_hq, b_q = params',
        zh: '按 `get_params` 的顺序取出 5 个参数。我们用名字取：`params.W_hh`。',
        en: 'Unpacks the 5 parameters in `get_params`’s order. We use names: `params.W_hh`.',
      },
      {
        py: '    H, = state',
        zh: '从元组 `(H,)` 里取出唯一的张量（注意逗号）。我们的状态元组放在一个张量里，`splitState` 把它拆回每层的元组（8.5 节只有一层、一个 H，拆出来就是它自己）。',
        en: 'Takes the only tensor out of the tuple `(H,)` (note the comma). Our state tuple travels as one tensor; `splitState` turns it back into each layer’s tuple (in 8.5: one layer, one H, the tensor itself).',
        shapes: [['H', 'B, H']],
        ts: 'const states = splitState(state, spec);',
      },
      {
        py: '    outputs = []',
        zh: '收集每个时间步的输出。我们收集的是 $\\mathbf{H}_t$，输出层放到循环外一次算完。',
        en: 'Collects the output of every step. We collect $\\mathbf{H}_t$ instead and run the output layer once, after the loop.',
        ts: 'const outputs: Sym[] = [];',
      },
      {
        py: '    # X的形状：(批量大小，词表大小)',
        zh: '注释：循环里的 `X` 是一个时间步的整个批量。',
        en: 'Comment: inside the loop, `X` is one time step of the whole batch.',
        shapes: [['X', 'B, V']],
      },
      {
        py: '    for X in inputs:',
        zh: '沿**第一维**（时间）循环，每次拿到 $\\mathbf{X}_t$：同一时间步的 B 个字符。这就是要先转置的原因（[第 2 页](./02-one-hot)）。',
        en: 'Loops over the **first axis** (time); each iteration gets $\\mathbf{X}_t$: the B characters of one time step. That is why the input is transposed first ([page 2](./02-one-hot)).',
        ts: ['for (let t = 0; t < numSteps; t++) {', 'const xt = Object.fromEntries('],
      },
      {
        py: '        H = torch.tanh(torch.mm(X, W_xh) + torch.mm(H, W_hh) + b_h)',
        zh: 'RNN 的核心：$\\mathbf{H}_t = \\tanh(\\mathbf{X}_t \\mathbf{W}_{xh} + \\mathbf{H}_{t-1} \\mathbf{W}_{hh} + \\mathbf{b}_h)$。`torch.mm` 是矩阵乘法：(B, V)(V, H) 和 (B, H)(H, H) 都得到 (B, H)；`b_h` 加到每一行。左边的新 `H` 覆盖旧的，下一圈循环就读它（[第 4 页](./04-rnn-step) 手算了两步）。',
        en: 'The heart of the RNN: $\\mathbf{H}_t = \\tanh(\\mathbf{X}_t \\mathbf{W}_{xh} + \\mathbf{H}_{t-1} \\mathbf{W}_{hh} + \\mathbf{b}_h)$. `torch.mm` is a matrix product: (B, V)(V, H) and (B, H)(H, H) both give (B, H); `b_h` is added to every row. The new `H` replaces the old one and the next iteration reads it ([page 4](./04-rnn-step) computes two steps by hand).',
        shapes: [['H', 'B, H']],
        ts: [
          "states[layer] = cell.step(xt, states[layer], p, spec.activation ?? 'tanh');",
          'const a = xProjection.add(H.matmul(params.W_hh)).add(params.b_h);',
          "return activation === 'relu' ? a.maximum(0) : a.tanh();",
        ],
      },
      {
        py: '        Y = torch.mm(H, W_hq) + b_q',
        zh: '输出层：下一个字符的 V 个打分 $\\mathbf{O}_t = \\mathbf{H}_t \\mathbf{W}_{hq} + \\mathbf{b}_q$。注意这里的 `Y` 是**输出**，不是标签 `Y`。我们在循环外对所有时间步一次算完，结果相同。',
        en: 'The output layer: V scores for the next character, $\\mathbf{O}_t = \\mathbf{H}_t \\mathbf{W}_{hq} + \\mathbf{b}_q$. This `Y` is the **output**, not the labels `Y`. We compute it once for all steps after the loop; the numbers are the same.',
        shapes: [['Y', 'B, V']],
        ts: 'const logits = inputs.matmul(params.W_hq).add(params.b_q); // (numSteps*batchSize, V)',
      },
      {
        py: '        outputs.append(Y)',
        zh: '记下这一步的输出。',
        en: 'Keeps this step’s output.',
        ts: 'outputs.push(states[layer][0]);',
      },
      {
        py: '    return torch.cat(outputs, dim=0), (H,)',
        zh: '把 T 个 (B, V) 上下摞起来成 (T·B, V)：第 t·B + b 行是时间步 t、序列 b（时间优先）。所以标签必须写成 `Y.T.reshape(-1)`。最后的 `H` 重新包成元组返回，作为下一个小批量的初始状态。',
        en: 'Stacks the T matrices (B, V) into (T·B, V): row t·B + b is time step t of sequence b (time-major). That is why the labels must be `Y.T.reshape(-1)`. The last `H` goes back into a tuple: the next minibatch starts from it.',
        shapes: [
          ['outputs', 'T·B, V'],
          ['H', 'B, H'],
        ],
        ts: [
          "inputs = outputs.length === 1 ? outputs[0] : X.builder.op('concat', outputs, { axis: 0 });",
          'return { logits, state: joinState(states, spec) };',
        ],
      },
    ],
  },
  {
    id: 'rnn-model-scratch',
    name: 'RNNModelScratch',
    listings: [{ file: 'nn/model.ts', region: 'forward' }],
    notes: [
      {
        py: 'class RNNModelScratch: #@save',
        zh: '把参数和三个函数包成一个对象，用起来像 `nn.Module`。`#@save` 表示它被存进 d2l 包，后面的章节直接用 `d2l.RNNModelScratch`。我们不需要类：参数是普通的值，前向是函数 `modelForward`。',
        en: 'Wraps the parameters and three functions into one object that is used like an `nn.Module`. `#@save` puts it into the d2l package for later chapters. We need no class: the parameters are plain values and the forward pass is the function `modelForward`.',
      },
      {
        py: '    """从零开始实现的循环神经网络模型"""',
        zh: '文档字符串：“从零开始实现的循环神经网络模型”。',
        en: 'Docstring: “an RNN model implemented from scratch”.',
      },
      {
        py: [
          '    def __init__(self, vocab_size, num_hiddens, device,',
          '                 get_params, init_state, forward_fn):',
        ],
        zh: '构造时传入三个函数：`get_params`、`init_state`（这里是 `init_rnn_state`）和 `forward_fn`（这里是 `rnn`）。第 9 章的 GRU、LSTM 只换这三个函数，类和训练循环都不用改。',
        en: 'Takes three functions: `get_params`, `init_state` (here `init_rnn_state`) and `forward_fn` (here `rnn`). Chapter 9’s GRU and LSTM swap only these three; the class and the training loop stay.',
      },
      {
        py: '        self.vocab_size, self.num_hiddens = vocab_size, num_hiddens',
        zh: '记住两个大小：V 用于独热编码，H 用于初始状态。',
        en: 'Remembers two sizes: V for the one-hot encoding, H for the initial state.',
      },
      {
        py: '        self.params = get_params(vocab_size, num_hiddens, device)',
        zh: '创建一次参数。训练中 `sgd` 原地修改的就是这个列表。',
        en: 'Creates the parameters once. During training `sgd` updates this very list in place.',
        ts: 'export function modelForward(',
      },
      {
        py: '        self.init_state, self.forward_fn = init_state, forward_fn',
        zh: '记住另外两个函数。',
        en: 'Remembers the other two functions.',
      },
      { py: '' },
      {
        py: '    def __call__(self, X, state):',
        zh: '让 `net(X, state)` 能像函数一样调用。`X` 是小批量的字符索引。',
        en: 'Makes `net(X, state)` callable like a function. `X` holds the minibatch’s character ids.',
        shapes: [['X', 'B, T']],
      },
      {
        py: '        X = F.one_hot(X.T, self.vocab_size).type(torch.float32)',
        zh: '三件事：`X.T` 转置成 (T, B)，把时间放到第一维；`one_hot` 编码成 (T, B, V)；`.type(torch.float32)` 转成浮点数（`one_hot` 给的是整数，不能和浮点矩阵相乘）。我们默认不真的造独热张量，而是直接取 `W_xh` 的行（`gather`），数值相同（[第 2 页](./02-one-hot)）。',
        en: 'Three things: `X.T` transposes to (T, B), putting time first; `one_hot` encodes to (T, B, V); `.type(torch.float32)` makes it floating point (`one_hot` returns integers, which cannot multiply a float matrix). By default we do not build the one-hot tensor but take rows of `W_xh` directly (`gather`); the numbers are the same ([page 2](./02-one-hot)).',
        shapes: [
          ['X.T', 'T, B'],
          ['X', 'T, B, V'],
        ],
        ts: ['const ids = X.transpose().reshape([numSteps * batchSize]);', 'inputProjection(inputs'],
      },
      {
        py: '        return self.forward_fn(X, state, self.params)',
        zh: '调用 `rnn`：返回 (T·B, V) 的输出和新的状态元组。',
        en: 'Calls `rnn`: returns the (T·B, V) outputs and the new state tuple.',
        shapes: [['', 'T·B, V']],
        ts: 'return { logits, state: joinState(states, spec) };',
      },
      { py: '' },
      {
        py: '    def begin_state(self, batch_size, device):',
        zh: '造初始状态：训练时批量是 B，预测时是 1。',
        en: 'Makes an initial state: batch B in training, 1 in prediction.',
      },
      {
        py: '        return self.init_state(batch_size, self.num_hiddens, device)',
        zh: '调用 `init_rnn_state`，得到全零的 `(H,)`。',
        en: 'Calls `init_rnn_state` and gets an all-zero `(H,)`.',
        shapes: [['H', 'B, H']],
      },
    ],
  },
  {
    id: 'predict-ch8',
    name: 'predict_ch8',
    listings: [{ file: 'train/predict.ts', region: 'predict' }],
    notes: [
      {
        py: 'def predict_ch8(prefix, num_preds, net, vocab, device):  #@save',
        zh: "在 `prefix`（如 `'time traveller'`）后面续写 `num_preds` 个字符（书里是 50）。",
        en: "Continues `prefix` (e.g. `'time traveller'`) with `num_preds` characters (the book: 50).",
        ts: 'async predict(prefix: string',
      },
      {
        py: '    """在prefix后面生成新字符"""',
        zh: '文档字符串：“在 prefix 后面生成新字符”。',
        en: 'Docstring: “generate new characters after prefix”.',
      },
      {
        py: '    state = net.begin_state(batch_size=1, device=device)',
        zh: '一次只续写一段文字，所以批量是 1；状态从全零开始。',
        en: 'One text at a time, so the batch is 1; the state starts at zero.',
        shapes: [['H', '1, H']],
        ts: 'let state = initState(this.config, 1, dtype);',
      },
      {
        py: '    outputs = [vocab[prefix[0]]]',
        zh: '`outputs` 存的是**索引**。先放前缀的第一个字符。',
        en: '`outputs` holds **ids**. It starts with the prefix’s first character.',
        ts: 'const outputs = [vocab.toIndex(chars[0])];',
      },
      {
        py: ['    get_input = lambda: d2l.reshape(d2l.tensor(', '        [outputs[-1]], device=device), (1, 1))'],
        zh: '一个小函数：把 `outputs` 的最后一个索引包成 (1, 1) 的张量，即批量 1、时间步 1。`d2l.reshape(d2l.tensor(…))` 就是 `torch.tensor(…).reshape((1, 1))`。',
        en: 'A small function: wraps the last id of `outputs` into a (1, 1) tensor, batch 1 and one time step. `d2l.reshape(d2l.tensor(…))` is `torch.tensor(…).reshape((1, 1))`.',
        shapes: [['', '1, 1']],
        ts: "tensor('int32', [1, 1], [token])",
      },
      {
        py: '    for y in prefix[1:]:  # 预热期',
        zh: '**预热**：把前缀剩下的字符一个一个喂进去，只为了让隐状态“读过”前缀。',
        en: '**Warm-up**: feed the rest of the prefix one character at a time, only so that the state has “read” it.',
        ts: 'for (const c of chars.slice(1)) {',
      },
      {
        py: '        _, state = net(get_input(), state)',
        zh: '喂入上一个字符，保留新状态，输出用 `_` 扔掉：下一个字符我们已经知道了。',
        en: 'Feeds the previous character, keeps the new state and throws the output away (`_`): we already know the next character.',
        ts: 'await step(outputs[outputs.length - 1]);',
      },
      {
        py: '        outputs.append(vocab[y])',
        zh: '接上前缀里真正的下一个字符。',
        en: 'Appends the prefix’s true next character.',
        ts: 'outputs.push(vocab.toIndex(c));',
      },
      {
        py: '    for _ in range(num_preds):  # 预测num_preds步',
        zh: '**生成** `num_preds` 个字符。',
        en: '**Generate** `num_preds` characters.',
        ts: 'for (let i = 0; i < numPreds; i++) {',
      },
      {
        py: '        y, state = net(get_input(), state)',
        zh: '第一次读的是前缀的**最后一个**字符。`y` 是下一个字符的 V 个打分。',
        en: 'The first call reads the prefix’s **last** character. `y` holds V scores for the next character.',
        shapes: [['y', '1, V']],
        ts: 'const logits = await step(outputs[outputs.length - 1]);',
      },
      {
        py: '        outputs.append(int(y.argmax(dim=1).reshape(1)))',
        zh: '取分数最高的字符（贪心），接到后面，下一圈把它当输入。这里没有随机性：同一个模型每次写出同一段文字，也容易陷进循环（[第 5 页](./05-prediction)）。',
        en: 'Takes the highest score (greedy) and appends it; the next iteration reads it. Nothing here is random: the same model always writes the same text, and easily falls into a loop ([page 5](./05-prediction)).',
        ts: ['const token = temperature > 0 ? sample(', 'outputs.push(token);'],
      },
      {
        py: "    return ''.join([vocab.idx_to_token[i] for i in outputs])",
        zh: '索引变回字符并拼起来：长度是 `len(prefix) + num_preds`。',
        en: 'Ids back to characters, joined: `len(prefix) + num_preds` characters.',
        ts: "return outputs.map((i) => vocab.toToken(i)).join('');",
      },
    ],
  },
  {
    id: 'grad-clipping',
    name: 'grad_clipping',
    listings: [{ file: 'ops/composite.ts', region: 'clip' }],
    notes: [
      {
        py: 'def grad_clipping(net, theta):  #@save',
        zh: '按全局范数裁剪梯度，书里 θ = 1。在 `backward()` 之后、更新之前调用（[第 6 页](./06-gradient-clipping)）。',
        en: 'Clips the gradients by their global norm; the book uses θ = 1. Called after `backward()` and before the update ([page 6](./06-gradient-clipping)).',
        ts: 'export function clipByGlobalNorm(',
      },
      {
        py: '    """裁剪梯度"""',
        zh: '文档字符串：“裁剪梯度”。',
        en: 'Docstring: “clip the gradients”.',
      },
      {
        py: '    if isinstance(net, nn.Module):',
        zh: '8.6 节的简洁实现（`nn.Module`）走这里……',
        en: '8.6’s concise model (an `nn.Module`) takes this branch…',
      },
      {
        py: '        params = [p for p in net.parameters() if p.requires_grad]',
        zh: '……取出所有需要梯度的参数。',
        en: '…and collects every parameter that has a gradient.',
      },
      {
        py: '    else:',
        zh: '我们从零实现的模型走这里：',
        en: 'Our from-scratch model takes this one:',
      },
      {
        py: '        params = net.params',
        zh: '就是 `get_params` 造的 5 个张量。',
        en: 'the 5 tensors made by `get_params`.',
      },
      {
        py: '    norm = torch.sqrt(sum(torch.sum((p.grad ** 2)) for p in params))',
        zh: '**全局**范数：所有参数的所有梯度元素平方、求和、开方，$\\lVert\\mathbf{g}\\rVert = \\sqrt{\\sum_p \\sum_i g_{p,i}^2}$。把 5 个梯度看成一个长向量来量长度。',
        en: 'The **global** norm: square every gradient element of every parameter, sum, take the root, $\\lVert\\mathbf{g}\\rVert = \\sqrt{\\sum_p \\sum_i g_{p,i}^2}$. The 5 gradients are measured as one long vector.',
        shapes: [['norm', '']],
        ts: ['const s = t.square().sum();', 'return total.sqrt();'],
      },
      {
        py: '    if norm > theta:',
        zh: '只有超过 θ 才裁剪。我们没有 `if`：`min(1, θ/norm)` 在不超过时正好是 1，结果逐比特相同（[第 6 页](./06-gradient-clipping)）。',
        en: 'Clips only above θ. We have no `if`: `min(1, θ/norm)` is exactly 1 otherwise, and the result is the same bit for bit ([page 6](./06-gradient-clipping)).',
        ts: 'const scale = th.div(norm).minimum(1);',
      },
      {
        py: '        for param in params:',
        zh: '对每个参数：',
        en: 'For every parameter:',
      },
      {
        py: '            param.grad[:] *= theta / norm',
        zh: '所有梯度乘**同一个**数 θ/‖g‖：新长度正好是 θ，方向不变。`[:]` 表示原地修改。',
        en: 'Every gradient times the **same** number θ/‖g‖: the new length is exactly θ and the direction is unchanged. `[:]` modifies in place.',
        ts: 'return { clipped: grads.map((g) => g.mul(scale)), norm };',
      },
    ],
  },
  {
    id: 'sgd',
    name: 'd2l.sgd',
    listings: [{ file: 'train/sgd.ts', region: 'sgd' }],
    notes: [
      {
        py: 'def sgd(params, lr, batch_size):  #@save',
        zh: '小批量随机梯度下降，定义在第 3 章（线性回归）。`train_ch8` 把它包成 `updater`。',
        en: 'Minibatch stochastic gradient descent, defined in chapter 3 (linear regression). `train_ch8` wraps it into `updater`.',
        ts: 'export function sgd(',
      },
      {
        py: '    """小批量随机梯度下降"""',
        zh: '文档字符串：“小批量随机梯度下降”。',
        en: 'Docstring: “minibatch stochastic gradient descent”.',
      },
      {
        py: '    with torch.no_grad():',
        zh: '更新参数这件事本身不要记进计算图，否则下一次 `backward` 会穿过它。',
        en: 'The update itself must not be recorded in the graph, or the next `backward` would go through it.',
      },
      {
        py: '        for param in params:',
        zh: '对每个参数：',
        en: 'For every parameter:',
      },
      {
        py: '            param -= lr * param.grad / batch_size',
        zh: '沿梯度反方向走一步：$\\mathbf{p} \\leftarrow \\mathbf{p} - \\eta\\, \\mathbf{g} / \\text{batch\\_size}$。第 3 章的损失是**和**，所以要除以批量大小；8.5 节的损失已经是**平均**，于是调用时传 `batch_size=1`（[第 7 页](./07-training) 有传 32 会怎样的实验）。',
        en: 'One step against the gradient: $\\mathbf{p} \\leftarrow \\mathbf{p} - \\eta\\, \\mathbf{g} / \\text{batch\\_size}$. Chapter 3’s loss was a **sum**, hence the division; 8.5’s loss is already a **mean**, so it is called with `batch_size=1` ([page 7](./07-training) shows what 32 would do).',
        ts: 'return params.map((param, i) => param.sub(lr.mul(grads[i]).div(batchSize)));',
      },
      {
        py: '            param.grad.zero_()',
        zh: 'PyTorch 的梯度会**累加**，所以用完要清零，否则下一个小批量的梯度会加在这次的上面。我们的梯度是图的输出，每次都是新算的，不需要清零。',
        en: 'PyTorch **accumulates** gradients, so they are zeroed after use, or the next minibatch’s would be added on top. Our gradients are fresh outputs of the graph every time; nothing to zero.',
      },
    ],
  },
  {
    id: 'train-epoch-ch8',
    name: 'train_epoch_ch8',
    listings: [
      { file: 'train/train-loop.ts', region: 'train-epoch' },
      { file: 'train/train-step.ts', region: 'train-step' },
    ],
    notes: [
      {
        py: '#@save',
        zh: '存进 d2l 包，后面的章节复用。',
        en: 'Saved into the d2l package for later chapters.',
      },
      {
        py: 'def train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter):',
        zh: '训练一轮（一个迭代周期）：把 `train_iter` 的所有小批量过一遍，返回这一轮的困惑度和速度。',
        en: 'Trains one epoch: goes through all minibatches of `train_iter` and returns the epoch’s perplexity and speed.',
        ts: 'export async function trainEpoch<P extends Params>(',
      },
      {
        py: '    """训练网络一个迭代周期（定义见第8章）"""',
        zh: '文档字符串：“训练网络一个迭代周期”。',
        en: 'Docstring: “train the network for one epoch”.',
      },
      {
        py: '    state, timer = None, d2l.Timer()',
        zh: '状态先是 `None`（“还没有”）；计时从这里开始，所以切小批量的时间也算在速度里。',
        en: 'The state starts as `None` (“none yet”); the timer starts here, so cutting the minibatches counts in the speed.',
        ts: ['const start = performance.now();', 'let state: HostTensor | undefined;'],
      },
      {
        py: '    metric = d2l.Accumulator(2)  # 训练损失之和,词元数量',
        zh: '两个累加器：损失之和、词元数。',
        en: 'Two running sums: the total loss and the number of tokens.',
        ts: ['let lossSum = 0;', 'let tokens = 0;'],
      },
      {
        py: '    for X, Y in train_iter:',
        zh: '每个小批量：`X` 是输入，`Y` 是右移一位的标签。每次 `for` 都是新的一轮，从新的随机偏移切起（[第 7 页](./07-training)）。',
        en: 'Each minibatch: `X` the inputs, `Y` the labels shifted by one. Every `for` is a new epoch, cut from a new random offset ([page 7](./07-training)).',
        shapes: [
          ['X', 'B, T'],
          ['Y', 'B, T'],
        ],
        ts: 'for (const batch of batches) {',
      },
      {
        py: '        if state is None or use_random_iter:',
        zh: '第一个小批量（还没有状态），或者 `use_random_iter=True`：每个小批量都重新初始化。注意是**每个小批量**，不是正文说的每一轮。',
        en: 'The first minibatch (no state yet), or `use_random_iter=True`: then EVERY minibatch starts afresh. Every **minibatch**, not every epoch as the prose says.',
        ts: 'if (state === undefined || resetEveryBatch',
      },
      {
        py: '            # 在第一次迭代或使用随机抽样时初始化state',
        zh: '注释：“在第一次迭代或使用随机抽样时初始化 state”。',
        en: 'Comment: “initialise the state at the first iteration or with random sampling”.',
      },
      {
        py: '            state = net.begin_state(batch_size=X.shape[0], device=device)',
        zh: '全零状态 `(H,)`。',
        en: 'An all-zero state `(H,)`.',
        shapes: [['H', 'B, H']],
        ts: 'state = initState(model, batchSize, dtype);',
      },
      {
        py: '        else:',
        zh: '顺序分区且不是第一个小批量：状态**接着用**。',
        en: 'Sequential partitioning, not the first minibatch: the state is **carried over**.',
      },
      {
        py: '            if isinstance(net, nn.Module) and not isinstance(state, tuple):',
        zh: '8.6 节的 `nn.RNN`、`nn.GRU`：状态是一个张量……',
        en: '8.6’s `nn.RNN`, `nn.GRU`: the state is a single tensor…',
      },
      {
        py: '                # state对于nn.GRU是个张量',
        zh: '注释：“state 对于 nn.GRU 是个张量”。',
        en: 'Comment: “state is a tensor for nn.GRU”.',
      },
      {
        py: '                state.detach_()',
        zh: '……原地 detach。',
        en: '…detached in place.',
      },
      {
        py: '            else:',
        zh: '我们的模型和 LSTM：状态是张量的元组。',
        en: 'Our model and LSTMs: the state is a tuple of tensors.',
      },
      {
        py: '                # state对于nn.LSTM或对于我们从零开始实现的模型是个张量',
        zh: '注释原文说“是个张量”，其实这里是**张量的元组**（英文版写的是 a tuple of tensors）。',
        en: 'The Chinese comment says “is a tensor”; it is a **tuple of tensors** (as the English edition says).',
      },
      {
        py: '                for s in state:',
        zh: '对元组里的每个张量：',
        en: 'For every tensor of the tuple:',
      },
      {
        py: '                    s.detach_()',
        zh: '**保留数值，切断梯度**：上一个小批量结束时的状态作为这一批的起点，但反向传播到此为止，只在这 T 步里进行（截断 BPTT）。我们把状态作为图的**输入**喂进去，图里没有通往上一个小批量的边，效果完全一样。',
        en: '**Keep the values, cut the gradient**: the last state of the previous minibatch is this one’s start, but backpropagation stops here and stays within these T steps (truncated BPTT). We feed the state in as a graph **input**; the graph has no edge into the previous minibatch, which does exactly the same.',
        ts: ['state = out.state;', 'const { logits, state: newState } = modelForward(X, state, params, config);'],
      },
      {
        py: '        y = Y.T.reshape(-1)',
        zh: '标签先转置再展平，和输出一样按时间优先（第 t·B + b 个）。少了 `.T` 不会报错，但每个输出配上的是错的标签（[第 2 页](./02-one-hot)）。',
        en: 'The labels transposed, then flattened, time-major like the outputs (entry t·B + b). Without `.T` nothing fails, but every output gets the wrong label ([page 2](./02-one-hot)).',
        shapes: [['y', 'T·B']],
        ts: 'const y = Y.transpose().reshape([numSteps * batchSize]);',
      },
      {
        py: '        X, y = X.to(device), y.to(device)',
        zh: '搬到 GPU（如果有的话）。我们把张量交给后端，由后端决定在哪里算（[第 9 页](./09-backends)）。',
        en: 'Moves to the GPU, if any. We hand the tensors to the backend, which decides where to compute ([page 9](./09-backends)).',
        ts: ['let feeds = trainStepFeeds(batch, state, current, lr);', 'const out = await exe.run(feeds);'],
      },
      {
        py: '        y_hat, state = net(X, state)',
        zh: '前向：所有时间步的打分和新的状态。',
        en: 'Forward: the scores of all time steps and the new state.',
        shapes: [
          ['y_hat', 'T·B, V'],
          ['state', 'B, H'],
        ],
        ts: 'const { logits, state: newState } = modelForward(X, state, params, config);',
      },
      {
        py: '        l = loss(y_hat, y.long()).mean()',
        zh: '交叉熵，对 T·B 个位置取平均（`CrossEntropyLoss` 默认就是平均，`.mean()` 什么也不改变）。`y.long()` 把标签转成 64 位整数。',
        en: 'Cross-entropy, averaged over the T·B positions (`CrossEntropyLoss` already averages; `.mean()` changes nothing). `y.long()` makes the labels 64-bit integers.',
        shapes: [['l', '']],
        ts: 'const loss = softmaxCrossEntropy(logits.sliceAxis(0, (minibatches - 1) * last, minibatches * last), y);',
      },
      {
        py: '        if isinstance(updater, torch.optim.Optimizer):',
        zh: '8.6 节用 `torch.optim.SGD`，走这个分支：',
        en: '8.6 uses `torch.optim.SGD` and takes this branch:',
      },
      {
        py: '            updater.zero_grad()',
        zh: '先把上一个小批量留下的梯度清零（PyTorch 的梯度会累加），',
        en: 'zero the gradients left by the previous minibatch (PyTorch accumulates them),',
      },
      {
        py: '            l.backward()',
        zh: '反向传播求梯度，',
        en: 'backpropagate to get the gradients,',
      },
      {
        py: '            grad_clipping(net, 1)',
        zh: '按全局范数裁剪，',
        en: 'clip them by their global norm,',
      },
      {
        py: '            updater.step()',
        zh: '然后更新参数。和下面的分支做的是同一件事。',
        en: 'then update the parameters. The same as the other branch does.',
      },
      {
        py: '        else:',
        zh: '我们从零实现的模型：`updater` 是包了 `d2l.sgd` 的函数。',
        en: 'Our from-scratch model: `updater` is a function around `d2l.sgd`.',
      },
      {
        py: '            l.backward()',
        zh: '反向传播：每个参数的 `.grad` 里存入 $\\partial l / \\partial \\mathbf{p}$。我们的 `gradients` 把反向计算追加到同一张图里（[第 8 页](./08-autodiff)）。',
        en: 'Backpropagation: every parameter’s `.grad` receives $\\partial l / \\partial \\mathbf{p}$. Our `gradients` appends the backward computation to the same graph ([page 8](./08-autodiff)).',
        ts: 'const grads = gradients(loss, paramList);',
      },
      {
        py: '            grad_clipping(net, 1)',
        zh: '按全局范数裁剪到 θ = 1。',
        en: 'Clip to θ = 1 by the global norm.',
        ts: 'const { clipped, norm } = clipByGlobalNorm(grads, theta);',
      },
      {
        py: '            # 因为已经调用了mean函数',
        zh: '注释：“因为已经调用了 mean 函数”，解释下一行为什么传 1。',
        en: 'Comment: “because mean has already been called”, explaining the 1 on the next line.',
      },
      {
        py: '            updater(batch_size=1)',
        zh: '`d2l.sgd` 会除以 `batch_size`；损失已经是平均值，所以传 1，等于 `p -= lr * grad`。传 32 的话每一步只走原来的 1/32（[第 7 页](./07-training)）。',
        en: '`d2l.sgd` divides by `batch_size`; the loss is already a mean, so 1 is passed and the step is `p -= lr * grad`. With 32 every step would be 1/32 as long ([page 7](./07-training)).',
        ts: 'const updated = sgd(paramList, clipped, lr, updateBatchSize);',
      },
      {
        py: '        metric.add(l * d2l.size(y), d2l.size(y))',
        zh: '平均损失乘位置数 = 这个小批量的损失之和；再累加位置数。`d2l.size(y)` 是 `y.numel()`，即 T·B。',
        en: 'Mean loss times the number of positions = this minibatch’s total loss; plus the count. `d2l.size(y)` is `y.numel()`, i.e. T·B.',
        ts: ['lossSum += loss * batchSize * numSteps;', 'tokens += batchSize * numSteps;'],
      },
      {
        py: '    return math.exp(metric[0] / metric[1]), metric[1] / timer.stop()',
        zh: '困惑度 = exp(这一轮的平均损失)；速度 = 词元数 / 秒。这是训练集上、一边更新一边量的困惑度。',
        en: 'Perplexity = exp(mean loss of the epoch); speed = tokens per second. It is the training perplexity, measured while the weights change.',
        ts: ['const ppl = perplexity(lossSum / tokens);', 'return { params: current, perplexity: ppl'],
      },
    ],
  },
  {
    id: 'train-ch8',
    name: 'train_ch8',
    listings: [{ file: 'train/train-loop.ts', region: 'train' }],
    notes: [
      {
        py: '#@save',
        zh: '存进 d2l 包。',
        en: 'Saved into the d2l package.',
      },
      {
        py: ['def train_ch8(net, train_iter, vocab, lr, num_epochs, device,', '              use_random_iter=False):'],
        zh: '完整的训练：`num_epochs` 轮（书里 500），学习率 `lr`（书里 1）。`use_random_iter` 只决定状态怎么处理，**不**决定数据怎么切：数据由传进来的 `train_iter` 决定。',
        en: 'The whole training: `num_epochs` epochs (the book: 500) at learning rate `lr` (the book: 1). `use_random_iter` only decides how the state is handled, **not** how the data is cut: that is up to the `train_iter` passed in.',
        ts: 'export async function train(',
      },
      {
        py: '    """训练模型（定义见第8章）"""',
        zh: '文档字符串：“训练模型”。',
        en: 'Docstring: “train the model”.',
      },
      {
        py: '    loss = nn.CrossEntropyLoss()',
        zh: '损失函数：softmax 加交叉熵，默认对所有位置取平均。',
        en: 'The loss: softmax plus cross-entropy, averaged over all positions by default.',
      },
      {
        py: [
          "    animator = d2l.Animator(xlabel='epoch', ylabel='perplexity',",
          "                            legend=['train'], xlim=[10, num_epochs])",
        ],
        zh: '画困惑度曲线的工具（本站的图由生成脚本画，[第 7 页](./07-training)）。',
        en: 'Draws the perplexity curve (this site’s plots are drawn by the generator, [page 7](./07-training)).',
      },
      {
        py: '    # 初始化',
        zh: '注释：“初始化”。',
        en: 'Comment: “initialise”.',
      },
      {
        py: '    if isinstance(net, nn.Module):',
        zh: '8.6 节的简洁实现：',
        en: '8.6’s concise model:',
      },
      {
        py: '        updater = torch.optim.SGD(net.parameters(), lr)',
        zh: '用 PyTorch 自带的 SGD。',
        en: 'PyTorch’s own SGD.',
      },
      {
        py: '    else:',
        zh: '从零实现的模型：',
        en: 'The from-scratch model:',
      },
      {
        py: '        updater = lambda batch_size: d2l.sgd(net.params, lr, batch_size)',
        zh: '把 `d2l.sgd` 包成只要一个参数 `batch_size` 的函数；`train_epoch_ch8` 调用它时传 1。',
        en: 'Wraps `d2l.sgd` into a function of `batch_size` alone; `train_epoch_ch8` calls it with 1.',
        ts: 'updateBatchSize: options.updateBatchSize,',
      },
      {
        py: '    predict = lambda prefix: predict_ch8(prefix, 50, net, vocab, device)',
        zh: '续写 50 个字符的预测函数。',
        en: 'A prediction function that writes 50 characters.',
        ts: 'const graphs = await TrainGraphs.compile(options);',
      },
      {
        py: '    # 训练和预测',
        zh: '注释：“训练和预测”。',
        en: 'Comment: “train and predict”.',
      },
      {
        py: '    for epoch in range(num_epochs):',
        zh: '一共 `num_epochs` 轮。',
        en: '`num_epochs` epochs.',
        ts: 'while (epoch < numEpochs) {',
      },
      {
        py: [
          '        ppl, speed = train_epoch_ch8(',
          '            net, train_iter, loss, updater, device, use_random_iter)',
        ],
        zh: '训练一轮，得到这一轮的困惑度和速度。',
        en: 'One epoch; returns its perplexity and speed.',
        ts: 'last = await trainEpoch(graphs.stepFor, params, data,',
      },
      {
        py: '        if (epoch + 1) % 10 == 0:',
        zh: '每 10 轮：',
        en: 'Every 10 epochs:',
        ts: 'epoch % every === 0 || epoch === numEpochs ? await graphs.report(params)',
      },
      {
        py: "            print(predict('time traveller'))",
        zh: '打印一次预测，看模型学到了什么（不打印困惑度）。',
        en: 'prints a prediction to show what the model has learnt (not the perplexity).',
        ts: '? await graphs.report(params)',
      },
      {
        py: '            animator.add(epoch + 1, [ppl])',
        zh: '在曲线上加一个点。',
        en: 'adds a point to the curve.',
        ts: 'history.push({ epoch, perplexity: last.perplexity,',
      },
      {
        py: "    print(f'困惑度 {ppl:.1f}, {speed:.1f} 词元/秒 {str(device)}')",
        zh: '打印的是**最后一轮**的困惑度和速度，不是平均值。',
        en: 'Prints the **last epoch’s** perplexity and speed, not an average.',
        ts: 'perplexity: last?.perplexity ?? NaN,',
      },
      {
        py: "    print(predict('time traveller'))",
        zh: '训练完，从两个前缀各预测一次。',
        en: 'After training, one prediction from each of two prefixes.',
        ts: 'const final = await graphs.report(params);',
      },
      {
        py: "    print(predict('traveller'))",
        zh: '第二个前缀。',
        en: 'The second prefix.',
      },
    ],
  },
  {
    id: 'driver',
    name: 'the calls',
    listings: [{ file: 'book-defaults.ts', region: 'book-defaults' }],
    notes: [
      {
        py: 'batch_size, num_steps = 32, 35',
        zh: '每个小批量 32 条序列，每条 35 个字符。',
        en: '32 sequences of 35 characters per minibatch.',
        ts: ['batchSize: 32,', 'numSteps: 35,'],
      },
      {
        py: 'train_iter, vocab = d2l.load_data_time_machine(batch_size, num_steps)',
        zh: '8.3 节的数据：只取书的前 10,000 个字符，**顺序分区**；词表有 V 个词元。',
        en: 'The data of 8.3: the first 10,000 characters only, **sequential partitioning**; a vocabulary of V tokens.',
        ts: 'maxTokens: 10000,',
      },
      {
        py: 'num_hiddens = 512',
        zh: '隐藏单元数 H。',
        en: 'The number of hidden units H.',
        ts: 'numHiddens: 512,',
      },
      {
        py: [
          'net = RNNModelScratch(len(vocab), num_hiddens, d2l.try_gpu(), get_params,',
          '                      init_rnn_state, rnn)',
        ],
        zh: '造模型：有 GPU 就用 GPU。',
        en: 'Builds the model, on a GPU if there is one.',
      },
      {
        py: 'num_epochs, lr = 500, 1',
        zh: '500 轮，学习率 1。',
        en: '500 epochs, learning rate 1.',
        ts: ['numEpochs: 500,', 'lr: 1,'],
      },
      {
        py: 'train_ch8(net, train_iter, vocab, lr, num_epochs, d2l.try_gpu())',
        zh: '第一次训练：顺序分区，状态跨小批量延续。',
        en: 'The first run: sequential partitioning, the state carried across minibatches.',
        ts: "sampler: 'sequential',",
      },
      {
        py: [
          'net = RNNModelScratch(len(vocab), num_hiddens, d2l.try_gpu(), get_params,',
          '                      init_rnn_state, rnn)',
        ],
        zh: '一个新的、未训练的模型。',
        en: 'A new, untrained model.',
      },
      {
        py: ['train_ch8(net, train_iter, vocab, lr, num_epochs, d2l.try_gpu(),', '          use_random_iter=True)'],
        zh: '第二次训练，书称“随机抽样”。但传的还是**同一个顺序分区的** `train_iter`：`use_random_iter=True` 只让每个小批量清零状态。我们叫它 `book-random`（[第 7 页](./07-training)）。',
        en: 'The second run, which the book calls “random sampling”. But it passes the **same sequential** `train_iter`: `use_random_iter=True` only zeroes the state at every minibatch. We call it `book-random` ([page 7](./07-training)).',
      },
    ],
  },
];
