"""Cold and warm invocation latency of an Extism plug-in: Swiftbase's runtime (WasmKit, interpreted) beside
Extism's own (the `extism` Python SDK, libextism on wasmtime, compiled), same .wasm, same input, same machine.

    swift build -c release --scratch-path .build-release --product swiftbase
    Examples/functions/build.sh
    .venv-it/bin/python Benchmarks/compare/functions_invoke.py [--iterations 5000] [--json out.json]

Modes, per call:
- cold: a new instance from the already compiled module, then one call (Swiftbase: `PluginInstance(plugin)` +
  `call`; Extism: `extism.Plugin(compiled_plugin)` + `call`).
- warm: one instance called again and again.
- Swiftbase also through `FunctionRuntime` (a hop to a guest thread and back to async code), which is what a
  server request pays, and "prepared": a cold call served by a fresh instance the runtime made ahead of it
  (`PluginOptions.preparedInstances`), with time between calls to make the next one.
Swiftbase's figures come from `swiftbase functions bench` (in-process, Swift's ContinuousClock); Extism's are
measured here in-process with perf_counter_ns, so they include the Python SDK's cffi crossing (a few µs).
Issue 16's targets: cold p50 <= 50 µs, p99 <= 1 ms; warm <= 20 µs.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import time
from pathlib import Path

import extism
from extism.extism import CompiledPlugin  # not re-exported by the package, public in its module

ROOT = Path(__file__).resolve().parents[2]
TARGETS = {"cold": (50.0, 1000.0), "warm": (20.0, None)}


def summary(samples_ns: list[int]) -> dict:
    micros = sorted(s / 1000 for s in samples_ns)
    pick = lambda p: micros[min(len(micros) - 1, int(p / 100 * len(micros)))]
    return {"p50_us": pick(50), "p99_us": pick(99), "mean_us": sum(micros) / len(micros), "n": len(micros)}


def measure(body, iterations: int, warmup: int) -> dict:
    samples = []
    for index in range(warmup + iterations):
        start = time.perf_counter_ns()
        body()
        elapsed = time.perf_counter_ns() - start
        if index >= warmup:
            samples.append(elapsed)
    return summary(samples)


def extism_figures(wasm: bytes, export: str, data: bytes, iterations: int, warmup: int) -> dict:
    compiled = CompiledPlugin(wasm)
    figures = {"cold": measure(lambda: extism.Plugin(compiled).call(export, data), iterations, warmup)}
    plugin = extism.Plugin(compiled)
    figures["warm"] = measure(lambda: plugin.call(export, data), iterations, warmup)
    figures["output"] = bytes(plugin.call(export, data)).decode()
    return figures


def swiftbase_figures(binary: Path, module: Path, export: str, text: str, iterations: int, warmup: int) -> dict:
    done = subprocess.run(
        [str(binary), "functions", "bench", str(module), export, f"--input={text}",
         f"--iterations={iterations}", f"--warmup={warmup}"],
        capture_output=True, text=True, check=True, timeout=1800)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--swiftbase", default=str(ROOT / ".build-release/release/swiftbase"))
    parser.add_argument("--module", default=str(ROOT / "Examples/functions/build/c/count_vowels.wasm"))
    parser.add_argument("--export", default="count_vowels")
    parser.add_argument("--input", default="Hello, World!")
    parser.add_argument("--iterations", type=int, default=5000)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    module = Path(args.module)
    wasm = module.read_bytes()
    ours = swiftbase_figures(Path(args.swiftbase), module, args.export, args.input, args.iterations, args.warmup)
    theirs = extism_figures(wasm, args.export, args.input.encode(), args.iterations, args.warmup)
    assert ours["output"] == theirs["output"], (ours["output"], theirs["output"])

    print(f"{module.name} {args.export}({args.input!r}) -> {ours['output']}  "
          f"({ours['fuel_per_call']} fuel/call, {args.iterations} calls per mode)")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; extism {extism.extism_version()}")
    print()
    print(f"{'mode':<26}{'p50 µs':>10}{'p99 µs':>10}{'mean µs':>10}   target")
    rows = [
        ("Swiftbase cold", ours["cold"], "cold"),
        ("Swiftbase warm", ours["warm"], "warm"),
        ("Swiftbase cold (rt)", ours["runtime_cold"], "cold"),
        ("Swiftbase warm (rt)", ours["runtime_warm"], "warm"),
        ("Swiftbase prepared (rt)", ours["runtime_prepared"], "cold"),
        ("Extism cold", theirs["cold"], None),
        ("Extism warm", theirs["warm"], None),
    ]
    for name, figures, target in rows:
        goal = ""
        if target:
            p50_goal, p99_goal = TARGETS[target]
            met = figures["p50_us"] <= p50_goal and (p99_goal is None or figures["p99_us"] <= p99_goal)
            goal = f"p50 <= {p50_goal:g}" + (f", p99 <= {p99_goal:g}" if p99_goal else "") + (
                "  met" if met else "  MISSED")
        print(f"{name:<26}{figures['p50_us']:>10.1f}{figures['p99_us']:>10.1f}{figures['mean_us']:>10.1f}   {goal}")
    print("(rt) = through FunctionRuntime: guest-thread hop and async answer included")
    print("prepared = a cold call served by a fresh instance made ahead (PluginOptions.preparedInstances), the")
    print("           runtime given time to make the next one between calls; back-to-back cold calls are 'cold'")
    if args.json:
        Path(args.json).write_text(json.dumps({"swiftbase": ours, "extism": theirs}, indent=2))


if __name__ == "__main__":
    main()
