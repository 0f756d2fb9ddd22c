#!/usr/bin/env bash
# Runs a command in an image tarball built by Jib (default: target/jib-image.tar) without Docker:
# unpacks its layers, then chroots into them and starts the image's entrypoint with its environment
# and working directory, as `docker run IMAGE ARGS` would (host network, no isolation). Needs root.
#
#   src/ops/image-smoke.sh                                   # topics --describe: the table must print
#   src/ops/image-smoke.sh target/jib-image.tar --help
set -euo pipefail

tarball=${1:-target/jib-image.tar}
shift || true
args=("$@")
if [ ${#args[@]} -eq 0 ]; then
  args=(topics --describe)
  expect='| images |'
fi
if [ "$(id -u)" != 0 ]; then
  echo "image-smoke.sh: chroot needs root" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'umount "$work/rootfs/proc" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/image" "$work/rootfs"
tar -xf "$tarball" -C "$work/image"
python3 - "$work/image" > "$work/layers" <<'PY'
import json, sys
print("\n".join(json.load(open(sys.argv[1] + "/manifest.json"))[0]["Layers"]))
PY
while read -r layer; do
  tar --warning=no-unknown-keyword -xzf "$work/image/$layer" -C "$work/rootfs"
done < "$work/layers"

# The image's entrypoint, environment and working directory, NUL-separated.
python3 - "$work/image/config.json" > "$work/run" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["config"]
out = [c.get("WorkingDir") or "/"] + [str(len(c["Env"]))] + c["Env"] + c["Entrypoint"]
sys.stdout.write("\0".join(out) + "\0")
PY
mapfile -d '' run < "$work/run"
workdir=${run[0]}
envcount=${run[1]}
env=("${run[@]:2:$envcount}")
entrypoint=("${run[@]:$((2 + envcount))}")

mkdir -p "$work/rootfs/proc" "$work/rootfs/tmp" "$work/rootfs$workdir"
mount -t proc proc "$work/rootfs/proc"
output=$(chroot "$work/rootfs" /usr/bin/env -i "${env[@]}" sh -c 'cd "$0" && exec "$@"' "$workdir" \
  "${entrypoint[@]}" "${args[@]}")
printf '%s\n' "$output"
if [ -n "${expect:-}" ] && ! grep -qF -- "$expect" <<<"$output"; then
  echo "image-smoke.sh: expected '$expect' in the output of ${args[*]}" >&2
  exit 1
fi
