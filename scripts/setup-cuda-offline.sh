#!/usr/bin/env bash
# Provisions the LLVM that burn's CUDA backend links (23.1, static, with NVPTX) from PyPI, and seeds
# tracel-llvm-bundler's install directory with it, so that `--features cuda` builds without GitHub access
# and without a GPU. Idempotent: a second run only checks.
#
#   scripts/setup-cuda-offline.sh
#   cargo build --release -p burn-lr --features cuda
#   cargo bench --no-run -p burn-lr-benches --bench backends --features cuda
#
# Needs: python3 with pip (the SDK's llvm-config is a Python script, so python3 must stay on PATH while
# building), and access to PyPI (or a mirror configured for pip). The build pins the CUDA API through
# CUDARC_CUDA_VERSION (set in .cargo/config.toml; override it in the environment).
set -euo pipefail

version="23.1.1.post0"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
# tracel-llvm-bundler 23.1.0-4 looks here (dirs::data_local_dir) and skips its download when the marker exists.
bundler="$data/tracel/tracel-llvm-23.1.0-4"
sdk="$data/burn-lr/mlc-llvm-static-$version"
static="$sdk/mlc_llvm_static/static"

command -v python3 >/dev/null || { echo "setup-cuda-offline: python3 is needed (llvm-config is a Python script)" >&2; exit 1; }

if [ ! -x "$static/bin/llvm-config" ] || [ ! -e "$static/lib/libLLVMNVPTXCodeGen.a" ]; then
    echo "setup-cuda-offline: installing mlc-llvm-static $version (with NVPTX) from PyPI into $sdk"
    rm -rf "$sdk"
    PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$sdk" \
        "mlc-llvm-static==$version" "mlc-llvm-static-extra-targets==$version"
fi

mkdir -p "$bundler"
for part in bin include lib share; do
    ln -sfn "$static/$part" "$bundler/$part"
done
touch "$bundler/.tracel-llvm-installed"

llvm_version="$("$bundler/bin/llvm-config" --version)"
case "$llvm_version" in
    23.1.*) ;;
    *) echo "setup-cuda-offline: expected LLVM 23.1.x, $bundler/bin/llvm-config says $llvm_version" >&2; exit 1 ;;
esac
if ! "$bundler/bin/llvm-config" --targets-built | tr ' ' '\n' | grep -qx NVPTX; then
    echo "setup-cuda-offline: the LLVM in $bundler has no NVPTX target" >&2
    exit 1
fi
echo "setup-cuda-offline: LLVM $llvm_version with NVPTX ready in $bundler"
