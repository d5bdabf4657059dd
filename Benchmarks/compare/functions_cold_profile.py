#!/usr/bin/env python3
"""Where a cold plug-in call's CPU time goes: inside WasmKit, or in Swiftbase's own runtime (issue 16, "Measured").

Runs `swiftbase functions bench MODULE EXPORT --cold-only` (a new instance from the compiled module, then one call,
again and again, in-process) under `perf record -g`, and sorts every sample taken inside the measured loop by the
innermost frame that is either WasmKit's (WasmKit, WasmParser, WasmTypes, its C interpreter `wasmkit_*`) or
Swiftbase's (SwiftbaseFunctions, the CLI): Swift runtime, libc and kernel frames count for whoever called them.
It also prints the share of samples under WasmKit's function translation (`ensureCompiled`, which a new instance
pays for every function it runs) and under instantiation (`Module.instantiate`).

    .venv-it/bin/python Benchmarks/compare/functions_cold_profile.py --binary .build/release/swiftbase \\
        [--module Examples/functions/build/c/count_vowels.wasm] [--export count_vowels] [--input "Hello, World!"]

Needs `perf` (Debian's linux-perf) and the examples built (Examples/functions/build.sh).
"""
import argparse
import collections
import json
import os
import re
import subprocess
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WASMKIT = re.compile(r"WasmKit|WasmParser|WasmTypes|wasmkit_")
SWIFTBASE = re.compile(r"SwiftbaseFunctions|9swiftbase")


def owner(symbol):
    if WASMKIT.search(symbol):
        return "WasmKit"
    if SWIFTBASE.search(symbol):
        return "Swiftbase"
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", required=True, help="swiftbase, a release build")
    ap.add_argument("--module", default=os.path.join(ROOT, "Examples/functions/build/c/count_vowels.wasm"))
    ap.add_argument("--export", default="count_vowels")
    ap.add_argument("--input", default="Hello, World!")
    ap.add_argument("--iterations", type=int, default=20000)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        data = os.path.join(scratch, "perf.data")
        bench = subprocess.run(
            ["perf", "record", "-F", "4999", "-g", "-o", data, "--", args.binary, "functions", "bench", args.module,
             args.export, f"--input={args.input}", "--iterations", str(args.iterations), "--warmup", "1000",
             "--cold-only"], capture_output=True, text=True, check=True, timeout=600)
        figures = json.loads(bench.stdout)["cold"]
        script = subprocess.run(["perf", "script", "-i", data, "-F", "ip,sym"], capture_output=True, text=True,
                                check=True, timeout=600).stdout

    owners = collections.Counter()
    under = collections.Counter()
    for sample in script.split("\n\n"):
        frames = [line.strip().split(None, 1)[-1] for line in sample.strip().splitlines()]
        if not any("FunctionsBenchCommand" in frame for frame in frames):
            continue  # start-up, compiling the plug-in, printing
        owners[next((owner(f) for f in frames if owner(f)), "other")] += 1
        if any("ensureCompiled" in f for f in frames):
            under["translating functions (ensureCompiled)"] += 1
        if any("instantiateHandle" in f for f in frames):
            under["instantiating (Module.instantiate)"] += 1
    total = max(sum(owners.values()), 1)
    print(f"cold call under perf: p50 {figures['p50_us']:.1f} us, mean {figures['mean_us']:.1f} us "
          f"({args.iterations} calls); {total} samples in the measured loop")
    for name, count in owners.most_common():
        print(f"  {name:50} {100 * count / total:5.1f} %  ~{figures['mean_us'] * count / total:6.1f} us")
    for name, count in under.most_common():
        print(f"  of which {name:41} {100 * count / total:5.1f} %  ~{figures['mean_us'] * count / total:6.1f} us")


if __name__ == "__main__":
    main()
