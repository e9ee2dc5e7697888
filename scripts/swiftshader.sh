#!/usr/bin/env bash
# SwiftShader, a CPU implementation of Vulkan, so the WebGPU trainer's tests run on a machine
# without a GPU. Debian ships it inside chromium-common; only that library and its ICD file are
# taken (the browser is not installed), plus the Vulkan loader (libvulkan1).
#   scripts/swiftshader.sh          installs it if absent, prints the ICD json path
# The tests find it there (test/trainer/webgpu-env.ts); VK_ICD_FILENAMES=<that path> makes Dawn use it.
set -euo pipefail
target=/opt/swiftshader
icd=$target/usr/lib/chromium/vk_swiftshader_icd.json
if [[ -f /usr/lib/chromium/vk_swiftshader_icd.json ]]; then echo /usr/lib/chromium/vk_swiftshader_icd.json; exit 0; fi
if [[ ! -f $icd ]] || ! ldconfig -p | grep -q libvulkan.so.1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libvulkan1 >/dev/null
  work=$(mktemp -d)
  chmod 755 "$work"
  (cd "$work" && apt-get download -qq chromium-common >/dev/null)
  mkdir -p "$target"
  dpkg -x "$work"/chromium-common_*.deb "$work/x"
  mkdir -p "$target/usr/lib/chromium"
  cp "$work/x/usr/lib/chromium/libvk_swiftshader.so" "$work/x/usr/lib/chromium/vk_swiftshader_icd.json" "$target/usr/lib/chromium/"
  rm -rf "$work"
fi
echo "$icd"
