#!/usr/bin/env bash
# `npm run bench:setup`: the PyTorch baseline. Debian's python3-torch with OpenBLAS: Debian's default
# reference BLAS is ~14x slower and would make a false baseline, so OpenBLAS is installed and selected
# for libblas.so.3 (the benchmark also sets OMP_WAIT_POLICY=PASSIVE and one thread per engine).
set -euo pipefail
if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-torch libopenblas0-pthread >/dev/null
blas=/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3
if [ -e "$blas" ]; then $SUDO update-alternatives --set libblas.so.3-x86_64-linux-gnu "$blas" >/dev/null; fi
/usr/bin/python3 -c 'import torch; print("PyTorch", torch.__version__, "ready")'
