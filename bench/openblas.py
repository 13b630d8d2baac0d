#!/usr/bin/env python3
"""PyTorch's best OpenBLAS kernel on this CPU, for the benchmark's baseline.

OpenBLAS picks its kernels from the CPU it detects at load time, and Debian's build can detect too old a
CPU (an AVX-512 Xeon as "Prescott", plain SSE3: its GEMM then runs 4-7x slower). OPENBLAS_CORETYPE forces
a kernel. The rule: from the CPU's flags, AVX-512 (F, BW, DQ, VL) -> SkylakeX, AVX2 with FMA -> Haswell;
the forced kernel is used only when the detected one uses a smaller instruction set, and only after
its results have been checked (entries of float32 products against exact sums) at every thread count
the benchmark uses. OpenBLAS reports the kernel it runs with OPENBLAS_VERBOSE=2 ("Core: Haswell").

Usage:
  python3 bench/openblas.py [--threads 1,2]   # JSON: the environment to run PyTorch with, and why
  python3 bench/openblas.py --summary          # the same, in words
"""
import argparse
import json
import math
import os
import random
import re
import subprocess
import sys
import time

# The instruction set each OpenBLAS x86-64 kernel needs: 3 AVX-512, 2 AVX2+FMA, 1 AVX, 0 older.
KERNEL_LEVEL = {
    'skylakex': 3, 'cooperlake': 3, 'sapphirerapids': 3,
    'haswell': 2, 'zen': 2, 'excavator': 2,
    'sandybridge': 1, 'bulldozer': 1, 'piledriver': 1, 'steamroller': 1,
}
KERNEL_FOR_LEVEL = {3: 'SkylakeX', 2: 'Haswell'}
# GEMM shapes of the train step at H=512: H @ W_hh per time step, and the whole minibatch's outputs.
SHAPES = [(32, 512, 512), (1120, 512, 512)]


def cpu_level(flags):
    if {'avx512f', 'avx512bw', 'avx512dq', 'avx512vl'} <= flags:
        return 3
    if {'avx2', 'fma'} <= flags:
        return 2
    if 'avx' in flags:
        return 1
    return 0


def cpu_flags():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('flags'):
                    return set(line.split(':', 1)[1].split())
    except OSError:
        pass
    return set()


# --- the child: one OpenBLAS setting, checked and timed --------------------------------------
def measure(threads):
    import torch

    torch.set_num_threads(threads)
    rng = random.Random(0)
    worst = 0.0
    gflops = {}
    for m, k, n in SHAPES:
        g = torch.Generator().manual_seed(m * 7 + n)
        a = torch.randn(m, k, generator=g)
        b = torch.randn(k, n, generator=g)
        c = torch.mm(a, b)
        al, bl = a.double().tolist(), b.double().t().tolist()
        for _ in range(64):  # exact sums of the same float32 inputs, independent of any BLAS
            i, j = rng.randrange(m), rng.randrange(n)
            terms = [x * y for x, y in zip(al[i], bl[j])]
            scale = math.fsum(abs(t) for t in terms)
            worst = max(worst, abs(float(c[i, j]) - math.fsum(terms)) / scale)
        for _ in range(3):
            torch.mm(a, b)
        best = math.inf
        for _ in range(5):
            reps, start = 0, time.perf_counter()
            while time.perf_counter() - start < 0.1:
                torch.mm(a, b)
                reps += 1
            best = min(best, (time.perf_counter() - start) / reps)
        gflops[f'{m}x{k}x{n}'] = round(2 * m * k * n / best / 1e9, 1)
    return {'maxRelError': worst, 'gflops': gflops}


def run_child(coretype, threads):
    env = dict(os.environ, OPENBLAS_VERBOSE='2', OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    env.pop('OPENBLAS_CORETYPE', None)
    if coretype:
        env['OPENBLAS_CORETYPE'] = coretype
    r = subprocess.run([sys.executable, os.path.abspath(__file__), '--measure', str(threads)],
                       env=env, capture_output=True, text=True)
    core = re.search(r'Core: (\S+)', r.stderr)
    out = {'coretype': coretype, 'threads': threads, 'core': core.group(1) if core else None}
    if r.returncode != 0:
        why = 'killed by signal %d' % -r.returncode if r.returncode < 0 else (r.stderr.strip().splitlines() or ['exit %d' % r.returncode])[-1]
        return {**out, 'error': why}
    return {**out, **json.loads(r.stdout.strip().splitlines()[-1])}


def choose(threads):
    level = cpu_level(cpu_flags())
    detected = [run_child(None, t) for t in threads]
    core = detected[0].get('core')
    result = {'cpuLevel': level, 'detectedCore': core, 'env': {}, 'core': core, 'checks': detected}
    want = KERNEL_FOR_LEVEL.get(level)
    if want is None or KERNEL_LEVEL.get((core or '').lower(), 0) >= level:
        result['reason'] = f'OpenBLAS detects "{core}", the right kernel for this CPU\'s instruction set'
        return result
    forced = [run_child(want, t) for t in threads]
    result['checks'] += forced
    bad = [c for c in forced if 'error' in c or c['maxRelError'] > 1e-5 or c['core'] != want]
    if bad:
        result['reason'] = (f'OpenBLAS detects "{core}"; {want} was tried but rejected '
                            f'({bad[0].get("error") or "core %s, max rel error %.1e" % (bad[0]["core"], bad[0]["maxRelError"])})')
        return result
    result.update(env={'OPENBLAS_CORETYPE': want}, core=want,
                  reason=f'OpenBLAS detects "{core}", older than this CPU: OPENBLAS_CORETYPE={want}, checked correct')
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--threads', default='1,2')
    ap.add_argument('--summary', action='store_true')
    ap.add_argument('--measure', type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    result = choose([int(t) for t in args.threads.split(',')])
    if not args.summary:
        print(json.dumps(result))
        return 0
    print(f'OpenBLAS for PyTorch: {result["reason"]}')
    for c in result['checks']:
        what = c.get('error') or ', '.join(f'{k} {v} GFLOP/s' for k, v in c['gflops'].items()) + f', max rel error {c["maxRelError"]:.1e}'
        print(f'  OPENBLAS_CORETYPE={c["coretype"] or "(unset)"}, {c["threads"]} thread(s): Core {c["core"]}: {what}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
