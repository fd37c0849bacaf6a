#!/usr/bin/env bash
# Re-fetch the PWA's vendored front-end files from the npm registry, pinned, with their licences.
# They are committed, so neither running nor testing fahuo needs the network; run this only to upgrade.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent barcode-detector@3.2.2 zxing-wasm@3.1.3 >/dev/null
mkdir bd zx
tar xzf barcode-detector-3.2.2.tgz -C bd
tar xzf zxing-wasm-3.1.3.tgz -C zx
out="$here/static/vendor"
rm -rf "$out" && mkdir -p "$out/barcode-detector" "$out/zxing-wasm"
cp bd/package/dist/iife/ponyfill.js bd/package/LICENSE "$out/barcode-detector/"
cp zx/package/dist/reader/zxing_reader.wasm zx/package/LICENSE "$out/zxing-wasm/"
cat > "$out/README.md" <<'TXT'
Vendored from the npm registry by `pwa/vendor.sh` (pinned versions), each with its licence file:

- `barcode-detector/ponyfill.js` — barcode-detector 3.2.2 (MIT), the BarcodeDetector API for browsers that
  lack it (Chromium on Linux), used only when the native one is absent.
- `zxing-wasm/zxing_reader.wasm` — zxing-wasm 3.1.3 (MIT), the decoder it runs; served from here, never a CDN.
TXT
echo "vendored into $out"
