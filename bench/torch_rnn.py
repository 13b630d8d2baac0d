#!/usr/bin/env python3
"""d2l 8.5 "RNN from scratch" in PyTorch, written from the project's spec (not copied from d2l).

It is the baseline that `npm run bench` measures our backends against, and the independent
cross-check of our numbers (`npm run bench:check`). Same data pipeline, model, clipping, update,
state handling and timing as the book's `train_ch8`.

Usage:
  python3 bench/torch_rnn.py --epochs 20 --json              # time the book's run on CPU
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


# --- model (spec sections 6, 8-11) --------------------------------------------------------
def get_params(vocab_size, num_hiddens, device):
    normal = lambda shape: torch.randn(size=shape, device=device) * 0.01
    W_xh = normal((vocab_size, num_hiddens))
    W_hh = normal((num_hiddens, num_hiddens))
    b_h = torch.zeros(num_hiddens, device=device)
    W_hq = normal((num_hiddens, vocab_size))
    b_q = torch.zeros(vocab_size, device=device)
    params = [W_xh, W_hh, b_h, W_hq, b_q]
    for p in params:
        p.requires_grad_(True)
    return params


def rnn(X, state, params):
    W_xh, W_hh, b_h, W_hq, b_q = params
    H, = state
    outputs = []
    for X_t in X:
        xw = X_t if W_xh is None else torch.mm(X_t, W_xh)  # None: X_t already holds the rows of W_xh
        H = torch.tanh(xw + torch.mm(H, W_hh) + b_h)
        outputs.append(torch.mm(H, W_hq) + b_q)
    return torch.cat(outputs, dim=0), (H,)


def forward(X, state, params, vocab_size, encoding='one-hot'):
    if encoding == 'gather':  # rows of W_xh: what one_hot(X) @ W_xh computes, without the product
        return rnn(params[0][X.T], state, [None, *params[1:]])
    return rnn(F.one_hot(X.T, vocab_size).type(torch.float32), state, params)


def grad_clipping(params, theta):
    norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
    if norm > theta:
        for p in params:
            p.grad[:] *= theta / norm


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad / batch_size
            p.grad.zero_()


def train_step(params, X, Y, state, lr, theta, vocab_size, encoding='one-hot'):
    y_hat, state = forward(X, state, params, vocab_size, encoding)
    y = Y.T.reshape(-1)
    loss = F.cross_entropy(y_hat, y.long()).mean()
    loss.backward()
    grad_clipping(params, theta)
    sgd(params, lr, batch_size=1)
    return float(loss), state


def predict(prefix, num_preds, params, token_to_idx, idx_to_token, num_hiddens, device):
    state = (torch.zeros((1, num_hiddens), device=device),)
    outputs = [token_to_idx.get(prefix[0], 0)]
    get_input = lambda: torch.tensor([outputs[-1]], device=device).reshape((1, 1))
    with torch.no_grad():
        for y in prefix[1:]:
            _, state = forward(get_input(), state, params, len(idx_to_token))
            outputs.append(token_to_idx.get(y, 0))
        for _ in range(num_preds):
            y, state = forward(get_input(), state, params, len(idx_to_token))
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
    params = get_params(V, args.num_hiddens, device)
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
                state = (torch.zeros((X.shape[0], args.num_hiddens), device=device),)
            else:
                for s in state:
                    s.detach_()
            l, state = train_step(params, X, Y, state, args.lr, args.theta, V, args.encoding)
            loss_sum += l * Y.numel()
            n += Y.numel()
        sync(device)
        seconds = time.perf_counter() - start
        ppl, speed = math.exp(loss_sum / n), n / seconds
        total_tokens += n
        total_time += seconds
        history.append(ppl)
        if not args.json and (epoch + 1) % 10 == 0:
            print(epoch + 1, f'{ppl:.2f}', predict('time traveller', 50, params, token_to_idx, idx_to_token, args.num_hiddens, device), flush=True)
    preds = {p: predict(p, 50, params, token_to_idx, idx_to_token, args.num_hiddens, device) for p in ('time traveller', 'traveller')}
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
    weights = read_safetensors(os.path.join(args.exchange, 'params.safetensors'))
    params = [weights[n] for n in ('W_xh', 'W_hh', 'b_h', 'W_hq', 'b_q')]
    for p in params:
        p.requires_grad_(True)
    V, H = ex['vocabSize'], ex['numHiddens']
    losses, state = [], None
    for k, batch in enumerate(ex['batches'][:args.steps]):
        X = torch.tensor(batch['X'], dtype=torch.int64)
        Y = torch.tensor(batch['Y'], dtype=torch.int64)
        if state is None or batch['resetState']:
            state = (torch.zeros((X.shape[0], H)),)
        else:
            for s in state:
                s.detach_()
        l, state = train_step(params, X, Y, state, ex['lr'], ex['theta'], V)
        losses.append(l)
    return {'engine': 'pytorch', 'losses': losses, 'torch': torch.__version__}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--epochs', type=int, default=500)
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
                    help="input as one_hot(X) @ W_xh (the book) or as rows of W_xh (our backends' default)")
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
