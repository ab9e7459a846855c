#!/usr/bin/env bash
# Runs on the GPU machine, from the unpacked bundle (see scripts/build-gpu-bundle.sh): the backend
# benchmark (constant LR, warmup + cosine, + plateau hook) and the finder's cost, on cuda, wgpu (Vulkan)
# and flex, whichever this machine can run. Writes gpu-bench.md (the table) and gpu-bench.log (criterion's
# output). Needs no network and no Rust; python3 (for the table) and xz.
set -uo pipefail
cd "$(dirname "$0")"
report=gpu-bench.md
log=gpu-bench.log
: > "$log"
missing=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }

backends="flex"
device="(no NVIDIA GPU found)"
driver="-"
if command -v nvidia-smi >/dev/null; then
    device="$(nvidia-smi --query-gpu=name --format=csv,noheader | head -n 1)"
    driver="$(nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -n 1)"
else
    missing+=("nvidia-smi (the NVIDIA driver's tools)")
fi
cuda_ok=1
have_lib libcuda.so.1 || { cuda_ok=0; missing+=("libcuda.so.1 (the NVIDIA driver)"); }
have_lib libnvrtc.so || { cuda_ok=0; missing+=("libnvrtc.so (NVRTC, from the CUDA toolkit's runtime libraries)"); }
libdevice="$(ls "${CUDA_PATH:-/usr/local/cuda}"/nvvm/libdevice/libdevice.10.bc /usr/local/cuda*/nvvm/libdevice/libdevice.10.bc 2>/dev/null | head -n 1)"
[ -n "$libdevice" ] || missing+=("libdevice.10.bc (CUDA toolkit, nvvm/libdevice; set CUDA_PATH if it is elsewhere)")
[ "$cuda_ok" = 1 ] && backends="$backends,cuda"
if have_lib libvulkan.so.1; then
    backends="$backends,wgpu"
else
    missing+=("libvulkan.so.1 (the Vulkan loader, for wgpu)")
fi

for bench in backends finder; do
    if [ ! -x "$bench" ]; then
        xz -dkf "$bench.xz" || { echo "gpu-bench: cannot decompress $bench.xz (is xz installed?)" >&2; exit 1; }
        chmod +x "$bench"
    fi
done

echo "gpu-bench: running on $backends ($device, driver $driver)"
export CRITERION_HOME="$PWD/criterion"
for bench in backends finder; do
    BURN_LR_BACKENDS="$backends" "./$bench" --bench >> "$log" 2>&1 || echo "gpu-bench: $bench failed, see $log" >&2
done

{
    echo "# burn-lr on $device"
    echo
    echo "Driver $driver; backends run: $backends; $(date -u +%Y-%m-%d)."
    if [ ${#missing[@]} -gt 0 ]; then
        echo
        echo "Missing on this machine:"
        for m in "${missing[@]}"; do echo "- $m"; done
    fi
    echo
    if command -v python3 >/dev/null; then
        python3 - "$CRITERION_HOME" <<'PY'
import json, os, sys
rows = {}
for root, _, files in os.walk(sys.argv[1]):
    if os.path.basename(root) != "new" or "estimates.json" not in files:
        continue
    bench = json.load(open(os.path.join(root, "benchmark.json")))
    median = json.load(open(os.path.join(root, "estimates.json")))["median"]["point_estimate"]
    rows[(bench["group_id"], bench["function_id"])] = median
updates = lambda group: 100 if "100 updates" in group else 69
print("| group | run | median | per update |")
print("| --- | --- | --- | --- |")
for (group, function), ns in sorted(rows.items()):
    print(f"| {group} | {function} | {ns / 1e6:.1f} ms | {ns / 1e3 / updates(group):.1f} us |")
PY
    else
        echo "(python3 is missing: criterion's output is in $log)"
    fi
} > "$report"
cat "$report"
