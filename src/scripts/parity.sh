#!/usr/bin/env bash
# Seed parity: the model on the engine the service runs (dev.streamae.model.ParityCheck) and the PyTorch reference, run
# alternately for each seed on the shipped datasets, one thread each; prints both summaries per
# seed, then the median held-out MSE of each side and their ratio (the acceptance bound is 1.05).
# Usage: src/scripts/parity.sh [seeds...]   (default 1 2 3; TORCH_REF points at torch_reference.py)
set -euo pipefail
cd "$(dirname "$0")/../.."
torch_ref=${TORCH_REF:-src/bench/torch_reference.py}
python=${PYTHON:-/usr/bin/python3}   # Debian's python3-torch, not a pyenv interpreter
[ $# -gt 0 ] || set -- 1 2 3
seeds=("$@")
data=src/main/resources/datasets
./mvnw -o -q -B compile
[ -s cp.txt ] || ./mvnw -o -q -B dependency:build-classpath -Dmdep.outputFile=cp.txt
export OMP_NUM_THREADS=1
ours=() torch=()
for seed in "${seeds[@]}"; do
  line=$(java --add-modules jdk.incubator.vector -cp "target/classes:$(cat cp.txt)" dev.streamae.model.ParityCheck --seed "$seed" 2>&1 | grep -o 'seed=.*train_img_per_s=.*')
  echo "ours  $line"
  ours+=("$(sed -E 's/.*heldout_mse=([0-9.]+).*/\1/' <<<"$line")")
  line=$("$python" "$torch_ref" "$data/mnist-images-idx3-ubyte.gz" "$data/fashion-images-idx3-ubyte.gz" --seed "$seed" --threads 1 | tail -1)
  echo "torch seed=$seed $line"
  torch+=("$(sed -E 's/.*heldout_mse=([0-9.]+).*/\1/' <<<"$line")")
done
"$python" - "${#seeds[@]}" "${ours[@]}" "${torch[@]}" <<'PY'
import statistics, sys
n = int(sys.argv[1]); ours = [float(v) for v in sys.argv[2:2 + n]]; torch = [float(v) for v in sys.argv[2 + n:]]
mo, mt = statistics.median(ours), statistics.median(torch)
print(f"median heldout_mse: ours {mo:.5f} torch {mt:.5f} ratio {mo / mt:.3f} ({'meets' if mo <= 1.05 * mt else 'MISSES'} the 1.05 bound)")
PY
