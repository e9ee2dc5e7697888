#!/usr/bin/env bash
# Lavapipe, Mesa's CPU implementation of Vulkan, recent enough (Mesa 25, from Debian's
# bookworm-backports) to offer WebGPU's shader-f16, which SwiftShader lacks: the WebGPU
# trainer's half-precision tests run on it. Only the driver library is taken from the package
# and given an ICD file of its own under /opt/lavapipe; the system's Vulkan drivers are untouched.
#   scripts/lavapipe.sh          installs it if absent, prints the ICD json path
# The tests find it there (test/trainer/lavapipe-env.ts); VK_ICD_FILENAMES=<that path> makes Dawn use it.
set -euo pipefail
target=/opt/lavapipe
icd=$target/lvp_icd.json
if [[ ! -f $icd ]] || ! ldconfig -p | grep -q libvulkan.so.1 || ! ldconfig -p | grep -q libLLVM-15.so.1; then
  sources=/etc/apt/sources.list.d/kiln-bookworm-backports.sources
  printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' >"$sources"
  trap 'rm -f "$sources"' EXIT
  apt-get update -qq
  # The driver's libraries (LLVM 15, libdrm, xcb) come from bookworm itself.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libvulkan1 libllvm15 libdrm2 libx11-xcb1 libxcb-dri3-0 libxcb-present0 \
    libxcb-randr0 libxcb-shm0 libxcb-sync1 libxcb-xfixes0 libxshmfence1 libwayland-client0 libelf1 libzstd1 >/dev/null
  work=$(mktemp -d)
  chmod 755 "$work"
  (cd "$work" && apt-get download -qq mesa-vulkan-drivers/bookworm-backports >/dev/null)
  dpkg -x "$work"/mesa-vulkan-drivers_*.deb "$work/x"
  mkdir -p "$target"
  cp "$work/x/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so" "$target/"
  api=$(sed -n 's/.*"api_version": *"\([^"]*\)".*/\1/p' "$work/x/usr/share/vulkan/icd.d/lvp_icd.json")
  printf '{\n  "ICD": { "api_version": "%s", "library_path": "%s/libvulkan_lvp.so" },\n  "file_format_version": "1.0.0"\n}\n' "$api" "$target" >"$icd"
  rm -rf "$work"
fi
echo "$icd"
