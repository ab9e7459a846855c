#!/usr/bin/env bash
# Builds on this machine (no GPU needed) everything the GPU benchmark runs, into target/gpu-bundle/
# and target/gpu-bundle.tar: the backend and finder benchmarks with flex, wgpu and cuda compiled in,
# stripped and xz-compressed, and scripts/gpu-bench.sh to run them. Copy the tar to the GPU machine,
# unpack it, run gpu-bundle/gpu-bench.sh there.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-cuda-offline.sh
for tool in strip xz python3; do
    command -v "$tool" >/dev/null || { echo "build-gpu-bundle: $tool is needed" >&2; exit 1; }
done

out=target/gpu-bundle
rm -rf "$out" target/gpu-bundle.tar
mkdir -p "$out"
for bench in backends finder; do
    binary="$(cargo bench --no-run -p burn-lr-benches --bench "$bench" --features cuda,wgpu \
        --message-format=json-render-diagnostics |
        python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and "bench" in m["target"]["kind"]:
        print(m["executable"])' | tail -n 1)"
    [ -n "$binary" ] || { echo "build-gpu-bundle: no $bench binary was built" >&2; exit 1; }
    cp "$binary" "$out/$bench"
    raw=$(stat -c %s "$out/$bench")
    strip "$out/$bench"
    stripped=$(stat -c %s "$out/$bench")
    xz -9 -T0 -f "$out/$bench"
    echo "build-gpu-bundle: $bench: $raw bytes built, $stripped stripped, $(stat -c %s "$out/$bench.xz") compressed"
done
cp scripts/gpu-bench.sh "$out/"
tar -cf target/gpu-bundle.tar -C target gpu-bundle
echo "build-gpu-bundle: target/gpu-bundle.tar, $(stat -c %s target/gpu-bundle.tar) bytes"
