#!/usr/bin/env bash
# Builds the example plug-ins into Examples/functions/build/:
#   c/*.c     with clang for wasm32 (freestanding, Extism's C PDK header) into build/c/NAME.wasm
#   wat/*.wat with wat2wasm (Debian's wabt) into build/wat/NAME.wasm
# Usage: Examples/functions/build.sh
# Needs clang with a wasm32 target and wasm-ld (the Swift toolchain's, or Debian's clang + lld) and wat2wasm.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$HERE/build"
mkdir -p "$OUT/c" "$OUT/wat"

CLANG="${CLANG:-clang}"
for tool in "$CLANG" wat2wasm; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool not found (see .ci/run for the packages)" >&2; exit 2; }
done

for source in "$HERE"/c/*.c; do
  name="$(basename "$source" .c)"
  # Exports are named in the sources (EXTISM_EXPORTED_FUNCTION); no entry point: a plug-in is a library.
  # -mbulk-memory: copies (json.h's text builder) are one `memory.copy` instead of interpreted byte loops.
  "$CLANG" --target=wasm32-unknown-unknown -O2 -mbulk-memory -nostdlib -ffreestanding -Wall -Werror \
    -Wl,--no-entry -o "$OUT/c/$name.wasm" "$source"
done

for source in "$HERE"/wat/*.wat; do
  wat2wasm "$source" -o "$OUT/wat/$(basename "$source" .wat).wasm"
done

echo "build.sh: built $(ls "$OUT"/c/*.wasm "$OUT"/wat/*.wasm | wc -l) plug-ins into $OUT"
