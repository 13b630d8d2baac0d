#!/usr/bin/env python3
"""d2l 8.5 "RNN from scratch" in PyTorch, written from the project's spec, with the scratch GRU (9.1), LSTM
(9.2) and stacked layers (9.3) of the book's chapter 9.

It is the baseline that `npm run bench` measures our backends against, and the independent
cross-check of our numbers (`npm run bench:check`). Same data pipeline, model, clipping, update,
state handling and timing as the book's `train_ch8`.

Usage:
  python3 bench/torch_rnn.py --epochs 20 --json              # time the book's run on CPU
  python3 bench/torch_rnn.py --cell lstm --num-hiddens 256    # the book's 9.2 run
  python3 bench/torch_rnn.py --exchange DIR --steps 20 --json # replay our params and batches
"""
import argparse
import resource
import json
import math
import os
import random
import re
import struct
import sys
import time
from collections import Counter

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, '..', 'packages', 'core', 'data', 'timemachine.txt')


# --- data (spec sections 1-5) -------------------------------------------------------------
def read_lines(path, preprocess='book'):
    with open(path, encoding='utf-8') as f:
        if preprocess == 'unicode':  # every character kept; whitespace runs become one space
            return [re.sub(r'\s+', ' ', line).strip() for line in f.readlines()]
        return [re.sub('[^A-Za-z]+', ' ', line).strip().lower() for line in f.readlines()]


def load_corpus(path, max_tokens, preprocess='book'):
    tokens = [list(line) for line in read_lines(path, preprocess)]
    flat = [t for line in tokens for t in line]
    counts = sorted(Counter(flat).items(), key=lambda kv: kv[1], reverse=True)  # stable: ties keep first-seen order
    idx_to_token = ['<unk>'] + [t for t, _ in counts]
    token_to_idx = {t: i for i, t in enumerate(idx_to_token)}
    corpus = [token_to_idx[t] for t in flat]
    if max_tokens > 0:
        corpus = corpus[:max_tokens]
    return corpus, idx_to_token, token_to_idx


def seq_data_iter_sequential(corpus, batch_size, num_steps, rng):
    offset = rng.randint(0, num_steps)
    num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
    Xs = torch.tensor(corpus[offset:offset + num_tokens]).reshape(batch_size, -1)
    Ys = torch.tensor(corpus[offset + 1:offset + 1 + num_tokens]).reshape(batch_size, -1)
    num_batches = Xs.shape[1] // num_steps
    for i in range(0, num_steps * num_batches, num_steps):
        yield Xs[:, i:i + num_steps], Ys[:, i:i + num_steps]


def seq_data_iter_random(corpus, batch_size, num_steps, rng):
    corpus = corpus[rng.randint(0, num_steps - 1):]
    num_subseqs = (len(corpus) - 1) // num_steps
    starts = list(range(0, num_subseqs * num_steps, num_steps))
    rng.shuffle(starts)
    for i in range(0, batch_size * (num_subseqs // batch_size), batch_size):
        js = starts[i:i + batch_size]
        yield (torch.tensor([corpus[j:j + num_steps] for j in js]),
               torch.tensor([corpus[j + 1:j + 1 + num_steps] for j in js]))


# --- model (spec sections 6, 8-11; d2l 9.1 GRU, 9.2 LSTM, 9.3 stacked layers) --------------
# Parameters are a dict under the project's names (the book's: W_xh, W_hh, b_h, ...; `l1.`, `l2.`, ...
# in front of each layer's when there are several), in the book's draw order.
GATES = {'rnn': 'h', 'gru': 'zrh', 'lstm': 'ifoc'}
STATE_SIZE = {'rnn': 1, 'gru': 1, 'lstm': 2}


def get_params(cell, vocab_size, num_hiddens, num_layers, init, device):
    """The book's get_params with `three()` per gate; init 'uniform' is nn.RNN/GRU/LSTM's U(-1/sqrt(H), 1/sqrt(H))."""
    k = 1 / math.sqrt(num_hiddens)

    def draw(shape, bias):
        if init == 'uniform':
            return (torch.rand(size=shape, device=device) * 2 - 1) * k
        return torch.zeros(shape, device=device) if bias else torch.randn(size=shape, device=device) * 0.01

    params = {}
    for layer in range(num_layers):
        at = f'l{layer + 1}.' if num_layers > 1 else ''
        num_inputs = vocab_size if layer == 0 else num_hiddens
        for g in GATES[cell]:
            params[f'{at}W_x{g}'] = draw((num_inputs, num_hiddens), False)
            params[f'{at}W_h{g}'] = draw((num_hiddens, num_hiddens), False)
            params[f'{at}b_{g}'] = draw((num_hiddens,), True)
    params['W_hq'] = draw((num_hiddens, vocab_size), False)
    params['b_q'] = draw((vocab_size,), True)
    for p in params.values():
        p.requires_grad_(True)
    return params


def xw(X, W):
    """X @ W; token ids X (the 'gather' encoding) pick rows of W, which is what one_hot(X) @ W computes."""
    return W[X] if X.dtype == torch.int64 else X @ W


def rnn(inputs, state, p):  # d2l 8.5
    H, = state
    outputs = []
    for X in inputs:
        H = torch.tanh(xw(X, p['W_xh']) + torch.mm(H, p['W_hh']) + p['b_h'])
        outputs.append(H)
    return outputs, (H,)


def gru(inputs, state, p):  # d2l 9.1
    H, = state
    outputs = []
    for X in inputs:
        Z = torch.sigmoid(xw(X, p['W_xz']) + (H @ p['W_hz']) + p['b_z'])
        R = torch.sigmoid(xw(X, p['W_xr']) + (H @ p['W_hr']) + p['b_r'])
        H_tilda = torch.tanh(xw(X, p['W_xh']) + ((R * H) @ p['W_hh']) + p['b_h'])
        H = Z * H + (1 - Z) * H_tilda
        outputs.append(H)
    return outputs, (H,)


def lstm(inputs, state, p):  # d2l 9.2
    H, C = state
    outputs = []
    for X in inputs:
        I = torch.sigmoid(xw(X, p['W_xi']) + (H @ p['W_hi']) + p['b_i'])
        F_ = torch.sigmoid(xw(X, p['W_xf']) + (H @ p['W_hf']) + p['b_f'])
        O = torch.sigmoid(xw(X, p['W_xo']) + (H @ p['W_ho']) + p['b_o'])
        C_tilda = torch.tanh(xw(X, p['W_xc']) + (H @ p['W_hc']) + p['b_c'])
        C = F_ * C + I * C_tilda
        H = O * torch.tanh(C)
        outputs.append(H)
    return outputs, (H, C)


CELLS = {'rnn': rnn, 'gru': gru, 'lstm': lstm}


def init_state(cell, num_layers, batch_size, num_hiddens, device):
    return [tuple(torch.zeros((batch_size, num_hiddens), device=device) for _ in range(STATE_SIZE[cell]))
            for _ in range(num_layers)]


def forward(X, state, params, cell, vocab_size, encoding='one-hot'):
    """RNNModelScratch: one-hot inputs (or, 'gather', the ids whose rows they pick), the layers in turn (9.3),
    then the output layer on every step."""
    num_layers = len(state)
    inputs = list(X.T) if encoding == 'gather' else list(F.one_hot(X.T, vocab_size).type(torch.float32))
    new_state = []
    for layer in range(num_layers):
        at = f'l{layer + 1}.' if num_layers > 1 else ''
        p = {n[len(at):]: v for n, v in params.items() if n.startswith(at) or n in ('W_hq', 'b_q')}
        inputs, s = CELLS[cell](inputs, state[layer], p)
        new_state.append(s)
    return torch.cat([torch.mm(H, params['W_hq']) + params['b_q'] for H in inputs], dim=0), new_state


def grad_clipping(params, theta):
    norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params.values()))
    if norm > theta:
        for p in params.values():
            p.grad[:] *= theta / norm


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for p in params.values():
            p -= lr * p.grad / batch_size
            p.grad.zero_()


def train_step(params, X, Y, state, lr, theta, cell, vocab_size, encoding='one-hot'):
    y_hat, state = forward(X, state, params, cell, vocab_size, encoding)
    y = Y.T.reshape(-1)
    loss = F.cross_entropy(y_hat, y.long()).mean()
    loss.backward()
    grad_clipping(params, theta)
    sgd(params, lr, batch_size=1)
    return float(loss), state


def predict(prefix, num_preds, params, cell, num_layers, token_to_idx, idx_to_token, num_hiddens, device):
    state = init_state(cell, num_layers, 1, num_hiddens, device)
    outputs = [token_to_idx.get(prefix[0], 0)]
    get_input = lambda: torch.tensor([outputs[-1]], device=device).reshape((1, 1))
    with torch.no_grad():
        for y in prefix[1:]:
            _, state = forward(get_input(), state, params, cell, len(idx_to_token))
            outputs.append(token_to_idx.get(y, 0))
        for _ in range(num_preds):
            y, state = forward(get_input(), state, params, cell, len(idx_to_token))
            outputs.append(int(y.argmax(dim=1).reshape(1)))
    return ''.join(idx_to_token[i] for i in outputs)


def sync(device):
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def train(args):
    device = args.device
    rng = random.Random(args.seed)
    torch.manual_seed(args.seed)
    corpus, idx_to_token, token_to_idx = load_corpus(args.corpus, args.max_tokens, args.preprocess)
    V = len(idx_to_token)
    params = get_params(args.cell, V, args.num_hiddens, args.num_layers, args.init, device)
    use_random_iter = args.sampler != 'sequential'
    data_iter = seq_data_iter_random if args.sampler == 'random' else seq_data_iter_sequential
    history = []
    total_tokens, total_time = 0, 0.0
    ppl = speed = float('nan')
    for epoch in range(args.epochs):
        start = time.perf_counter()
        state, loss_sum, n = None, 0.0, 0
        for X, Y in data_iter(corpus, args.batch_size, args.num_steps, rng):
            X, Y = X.to(device), Y.to(device)
            if state is None or use_random_iter:
                state = init_state(args.cell, args.num_layers, X.shape[0], args.num_hiddens, device)
            else:
                for layer in state:
                    for s in layer:
                        s.detach_()
            l, state = train_step(params, X, Y, state, args.lr, args.theta, args.cell, V, args.encoding)
            loss_sum += l * Y.numel()
            n += Y.numel()
        sync(device)
        seconds = time.perf_counter() - start
        ppl, speed = math.exp(loss_sum / n), n / seconds
        total_tokens += n
        total_time += seconds
        history.append(ppl)
        if not args.json and (epoch + 1) % 10 == 0:
            print(epoch + 1, f'{ppl:.2f}', predict('time traveller', 50, params, args.cell, args.num_layers, token_to_idx, idx_to_token, args.num_hiddens, device), flush=True)
    preds = {p: predict(p, 50, params, args.cell, args.num_layers, token_to_idx, idx_to_token, args.num_hiddens, device)
             for p in ('time traveller', 'traveller')}
    return {
        'engine': 'pytorch', 'device': device, 'threads': torch.get_num_threads(), 'torch': torch.__version__,
        'vocabSize': V, 'perplexity': ppl, 'tokensPerSec': speed, 'averageTokensPerSec': total_tokens / total_time,
        'seconds': total_time, 'history': history, 'predictions': preds,
    }


# --- cross-check: replay the parameters and batches our CLI exported ------------------------
def read_safetensors(path):
    with open(path, 'rb') as f:
        (n,) = struct.unpack('<Q', f.read(8))
        header = json.loads(f.read(n))
        body = f.read()
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        assert info['dtype'] == 'F32', f'{name}: expected F32, got {info["dtype"]}'
        a, b = info['data_offsets']
        out[name] = torch.frombuffer(bytearray(body[a:b]), dtype=torch.float32).reshape(info['shape']).clone()
    return out


def replay(args):
    with open(os.path.join(args.exchange, 'batches.json')) as f:
        ex = json.load(f)
    params = read_safetensors(os.path.join(args.exchange, 'params.safetensors'))
    for p in params.values():
        p.requires_grad_(True)
    V, H = ex['vocabSize'], ex['numHiddens']
    cell, num_layers = ex.get('cell', 'rnn'), ex.get('numLayers', 1)
    losses, state = [], None
    for k, batch in enumerate(ex['batches'][:args.steps]):
        X = torch.tensor(batch['X'], dtype=torch.int64)
        Y = torch.tensor(batch['Y'], dtype=torch.int64)
        if state is None or batch['resetState']:
            state = init_state(cell, num_layers, X.shape[0], H, 'cpu')
        else:
            for layer in state:
                for s in layer:
                    s.detach_()
        l, state = train_step(params, X, Y, state, ex['lr'], ex['theta'], cell, V)
        losses.append(l)
    return {'engine': 'pytorch', 'losses': losses, 'torch': torch.__version__}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--epochs', type=int, default=500)
    ap.add_argument('--cell', choices=sorted(GATES), default='rnn')
    ap.add_argument('--num-layers', type=int, default=1)
    ap.add_argument('--init', choices=['normal', 'uniform'], default='normal')
    ap.add_argument('--num-hiddens', type=int, default=512)
    ap.add_argument('--batch-size', type=int, default=32)
    ap.add_argument('--num-steps', type=int, default=35)
    ap.add_argument('--lr', type=float, default=1.0)
    ap.add_argument('--theta', type=float, default=1.0)
    ap.add_argument('--max-tokens', type=int, default=10000)
    ap.add_argument('--sampler', choices=['sequential', 'random', 'book-random'], default='sequential')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--corpus', default=CORPUS)
    ap.add_argument('--preprocess', choices=['book', 'unicode'], default='book')
    ap.add_argument('--encoding', choices=['one-hot', 'gather'], default='one-hot',
                    help="input as one_hot(X) @ W_x* (the book) or as rows of W_x* (our backends' default)")
    ap.add_argument('--exchange', help='replay params.safetensors + batches.json from this directory')
    ap.add_argument('--steps', type=int, default=20)
    ap.add_argument('--json', action='store_true')
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    wall = time.perf_counter()
    result = replay(args) if args.exchange else train(args)
    result['wallSeconds'] = time.perf_counter() - wall
    result['peakRssMiB'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.json:
        print(json.dumps(result))
    else:
        print(json.dumps({k: v for k, v in result.items() if k != 'history'}, indent=2))


if __name__ == '__main__':
    sys.exit(main())
