#!/usr/bin/env bash
# Installs Mesa's software Vulkan driver (lavapipe) and the Vulkan loader from the distribution's packages
# (Debian/Ubuntu), so that burn's wgpu backend runs on the CPU. Idempotent.
set -euo pipefail
icd=/usr/share/vulkan/icd.d/lvp_icd.x86_64.json
if [ -e "$icd" ] && ldconfig -p | grep -q libvulkan.so.1; then
    exit 0
fi
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
packages=(mesa-vulkan-drivers libvulkan1)
if ! $sudo apt-get install -y --no-install-recommends "${packages[@]}" >/dev/null; then
    $sudo apt-get update >/dev/null
    $sudo apt-get install -y --no-install-recommends "${packages[@]}" >/dev/null
fi
[ -e "$icd" ] || { echo "install-lavapipe: $icd is missing after the install" >&2; exit 1; }
echo "install-lavapipe: lavapipe ready ($icd)"
