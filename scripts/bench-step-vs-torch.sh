#!/usr/bin/env bash
# Side-by-side step timing: disentangle's `bench step` on each backend and precision against the PyTorch
# reference (scripts/torch_vae_step.py, a copy of ../shared/bench/torch_vae_step.py with --precision: bf16 is
# PyTorch's own CPU autocast), alternating every configuration once per round (A B C … A B C …), same batch, z,
# channels and thread count. Prints each measurement, then the medians and their ratios, and a JSON last line.
# Needs Debian's PyTorch: apt-get install -y python3-torch libopenblas0-pthread
# Usage: scripts/bench-step-vs-torch.sh [rounds=3] [batch=64] [backends=wasm,torch] [threads=1] [precisions=fp32,bf16]
# (wasm has fp32 only; a backend that cannot start here is left out with a note.)
# STEPS=10 timed steps per measurement; TORCH_ENV='VAR=value ...' runs the PyTorch side with extra environment.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}; batch=${2:-64}; backends=${3:-wasm,torch}; threads=${4:-1}; precisions=${5:-fp32,bf16}
steps=${STEPS:-10}
ref=${TORCH_BENCH:-scripts/torch_vae_step.py}
py=${PYTHON:-/usr/bin/python3}

configs=()
for b in ${backends//,/ }; do
  if ! node bin/disentangle.js backends --json |
    node -e "const a = JSON.parse(require('fs').readFileSync(0, 'utf8')); process.exit(a.some((x) => x.name === '$b' && x.available) ? 0 : 1)"; then
    echo "note: backend $b is not available here; left out" >&2
    continue
  fi
  for p in ${precisions//,/ }; do
    [[ $b != torch && $p != fp32 ]] && continue
    configs+=("$b:$p")
  done
done
for p in ${precisions//,/ }; do configs+=("pytorch:$p"); done

declare -A times
for i in $(seq 1 "$rounds"); do
  line="round $i:"
  for c in "${configs[@]}"; do
    b=${c%%:*}; p=${c##*:}
    if [[ $b == pytorch ]]; then
      ms=$(env ${TORCH_ENV:-} "$py" "$ref" --batch "$batch" --threads "$threads" --steps "$steps" --precision "$p" |
        sed 's/.*"ms_per_step": \([0-9.]*\).*/\1/')
    else
      ms=$(node bin/disentangle.js bench step --backend "$b" --threads "$threads" --batch "$batch" --steps "$steps" \
        --precision "$p" --json 2>/dev/null | tail -1 | sed 's/.*"ms_per_step":\([0-9.]*\).*/\1/')
    fi
    times[$c]="${times[$c]:-} $ms"
    line+=" $b/$p ${ms} ms,"
  done
  echo "${line%,}"
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { awk "BEGIN{printf \"%.2f\", $1/$2}"; }
declare -A med
json="{\"batch\":$batch,\"threads\":$threads,\"rounds\":$rounds,\"ms\":{"
for c in "${configs[@]}"; do
  # shellcheck disable=SC2086
  med[$c]=$(median ${times[$c]})
  json+="\"$c\":${med[$c]},"
done
json="${json%,}},\"ratios\":{"
echo "medians (ms/step):"
for c in "${configs[@]}"; do echo "  $c ${med[$c]}"; done
echo "ratios:"
for c in "${configs[@]}"; do
  b=${c%%:*}; p=${c##*:}
  [[ $b == pytorch ]] && continue
  if [[ -n ${med[pytorch:$p]:-} ]]; then
    r=$(ratio "${med[$c]}" "${med[pytorch:$p]}")
    echo "  $b/$p vs pytorch/$p: $r"
    json+="\"$b/$p vs pytorch/$p\":$r,"
  fi
done
for b in torch pytorch; do
  if [[ -n ${med[$b:bf16]:-} && -n ${med[$b:fp32]:-} ]]; then
    r=$(ratio "${med[$b:bf16]}" "${med[$b:fp32]}")
    echo "  $b bf16 vs fp32: $r"
    json+="\"$b bf16 vs fp32\":$r,"
  fi
done
echo "${json%,}}}"
