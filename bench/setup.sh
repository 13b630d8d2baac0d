#!/usr/bin/env bash
# `npm run bench:setup`: the PyTorch baseline and the large-vocabulary corpus.
# - Debian's python3-torch with OpenBLAS: Debian's default reference BLAS is ~14x slower and would make a
#   false baseline, so OpenBLAS is installed and selected for libblas.so.3.
# - OpenBLAS's kernel: it can detect too old a CPU (an AVX-512 Xeon as "Prescott"); bench/openblas.py picks
#   the kernel for this CPU's instruction set, checks its results and prints what it found. `npm run bench`
#   runs the same check and runs PyTorch with that kernel at each thread count it tries.
# - fortunes-zh: its `tang300` file (300 Tang poems) is the large-vocabulary corpus (bench/corpus.ts). Its
#   packaging is GPL-3, so it is installed here rather than copied into this repository.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-torch libopenblas0-pthread fortunes-zh >/dev/null
blas=/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3
if [ -e "$blas" ]; then $SUDO update-alternatives --set libblas.so.3-x86_64-linux-gnu "$blas" >/dev/null; fi
/usr/bin/python3 -c 'import torch; print("PyTorch", torch.__version__, "ready")'
/usr/bin/python3 bench/openblas.py --summary
if [ -e /usr/share/games/fortunes/tang300 ]; then echo "large-vocabulary corpus: /usr/share/games/fortunes/tang300"; fi
