#!/usr/bin/env bash
# Side-by-side step timing: disentangle's `bench step` against the PyTorch reference, alternating A B A B,
# same batch, z, channels and thread count. Prints each measurement and the ratio of medians.
# Needs Debian's PyTorch: apt-get install -y python3-torch libopenblas0-pthread
# Usage: scripts/bench-step-vs-torch.sh [rounds=3] [batch=64] [backend=wasm] [threads=1]
# TORCH_ENV='VAR=value ...' runs the PyTorch side with extra environment (e.g. the same malloc settings).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}; batch=${2:-64}; backend=${3:-wasm}; threads=${4:-1}
ref=${TORCH_BENCH:-../shared/bench/torch_vae_step.py}
py=${PYTHON:-/usr/bin/python3}
ours=(); theirs=()
for i in $(seq 1 "$rounds"); do
  a=$(node bin/disentangle.js bench step --backend "$backend" --threads "$threads" --batch "$batch" --steps 10 --json 2>/dev/null | tail -1 | sed 's/.*"ms_per_step":\([0-9.]*\).*/\1/')
  b=$(env ${TORCH_ENV:-} "$py" "$ref" --batch "$batch" --threads "$threads" --steps 10 | sed 's/.*"ms_per_step": \([0-9.]*\).*/\1/')
  echo "round $i: disentangle($backend) ${a} ms, pytorch ${b} ms"
  ours+=("$a"); theirs+=("$b")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mo=$(median "${ours[@]}"); mt=$(median "${theirs[@]}")
echo "{\"backend\":\"$backend\",\"batch\":$batch,\"threads\":$threads,\"ours_ms\":$mo,\"pytorch_ms\":$mt,\"ratio\":$(awk "BEGIN{printf \"%.2f\", $mo/$mt}")}"
