"""Functions (issue 16): the example plug-ins of Examples/functions run under Swiftbase's Extism runtime and under
Extism's own, and must behave the same.

The reference is the `extism` Python host SDK (it bundles libextism, Extism's Rust runtime on wasmtime), called
in-process here. Swiftbase runs the same .wasm files through `swiftbase functions call --json`, which prints one
{output, error, logs, vars} object per call. Both sides get the same input, config, log level and number of calls
on one instance; outputs must be byte-identical, errors must agree in kind and — where the plug-in wrote the message
itself — in text, and the plug-in's log lines must match.

Where Swiftbase deliberately differs from Extism, the test says so and checks both behaviours: a guest that hands
the kernel an offset it never allocated gets a trap naming the function in Swiftbase, while Extism's bounds-checked
kernel reads 0 or ignores the call. The plug-ins are built by Examples/functions/build.sh (clang for wasm32 with
Extism's C PDK, and wat2wasm), which this module runs first.
"""
from __future__ import annotations

import base64
import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import extism
import pytest

from conftest import REPO_ROOT, _server_binary

EXAMPLES = REPO_ROOT / "Examples" / "functions"
BUILD = EXAMPLES / "build"
LOG_LINE = re.compile(r"\s(TRACE|DEBUG|INFO|WARN|ERROR) extism::pdk: (.*) plugin=\"[0-9a-f-]+\"\s*$", re.S)


@dataclass
class Case:
    module: str                      # c/NAME or wat/NAME under Examples/functions/build
    export: str
    input: str = ""
    config: dict = field(default_factory=dict)
    times: int = 1                   # calls on one instance
    wasi: bool = False
    log_level: str = "info"
    memory_pages: int | None = None  # Extism's memory.max_pages; Swiftbase gets the same bytes
    timeout_ms: int | None = None

    @property
    def id(self) -> str:
        return f"{self.module}:{self.export}:{self.input[:12]!r}"


@dataclass
class Outcome:
    output: bytes | None
    error: str | None                # Extism's message / Swiftbase's message
    code: str | None = None          # Swiftbase's error code
    logs: list = field(default_factory=list)


# --------------------------------------------------------------------------- the two runtimes
@pytest.fixture(scope="module")
def plugins():
    subprocess.run(["bash", str(EXAMPLES / "build.sh")], check=True, capture_output=True, text=True, timeout=300)
    return BUILD


@pytest.fixture
def swiftbase_binary(request, swiftbase_only) -> Path:
    return _server_binary(request.config, "swiftbase")


_extism_logs: list[str] = []
_extism_logger = None


def run_extism(case: Case) -> list[Outcome]:
    global _extism_logger
    if _extism_logger is None:
        # Extism's logger is global and its level fixed once per process: take everything, filter per case.
        _extism_logger = extism.set_log_custom(_extism_logs.append, "trace")
    manifest = {"wasm": [{"data": (BUILD / f"{case.module}.wasm").read_bytes()}], "config": case.config}
    if case.memory_pages is not None:
        manifest["memory"] = {"max_pages": case.memory_pages}
    if case.timeout_ms is not None:
        manifest["timeout_ms"] = case.timeout_ms
    plugin = extism.Plugin(manifest, wasi=case.wasi)
    levels = ["trace", "debug", "info", "warn", "error"]
    shown = set(levels[levels.index(case.log_level):])
    outcomes = []
    for _ in range(case.times):
        _extism_logger.drain()
        _extism_logs.clear()
        try:
            outcome = Outcome(output=plugin.call(case.export, case.input.encode()), error=None)
        except extism.Error as error:
            outcome = Outcome(output=None, error=str(error))
        _extism_logger.drain()
        for line in _extism_logs:
            match = LOG_LINE.search(line)
            if match and match.group(1).lower() in shown:
                outcome.logs.append((match.group(1).lower(), match.group(2)))
        outcomes.append(outcome)
    return outcomes


def run_swiftbase(binary: Path, case: Case) -> list[Outcome]:
    args = [str(binary), "functions", "call", str(BUILD / f"{case.module}.wasm"), case.export,
            f"--times={case.times}", f"--log-level={case.log_level}", "--json"]
    if case.input:
        args.append(f"--input={case.input}")
    for key, value in case.config.items():
        args.append(f"--config={key}={value}")
    if case.memory_pages is not None:
        args.append(f"--memory-mb={max(1, case.memory_pages * 65536 >> 20)}")
    if case.timeout_ms is not None:
        args += ["--timeout-ms", str(case.timeout_ms), "--fuel", "0"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    outcomes = []
    for report in json.loads(done.stdout):
        error = report.get("error")
        outcomes.append(Outcome(
            output=base64.b64decode(report["output"]) if "output" in report else None,
            error=error["message"] if error else None,
            code=error["code"] if error else None,
            logs=[(line["level"], line["message"]) for line in report["logs"] if line["source"] == "extism"],
        ))
    return outcomes


def both(binary, case: Case) -> tuple[list[Outcome], list[Outcome]]:
    reference, ours = run_extism(case), run_swiftbase(binary, case)
    assert len(reference) == len(ours) == case.times
    return reference, ours


# --------------------------------------------------------------------------- same output
SAME_OUTPUT = [
    Case("c/count_vowels", "count_vowels", "Hello, World!"),
    Case("c/count_vowels", "count_vowels", ""),
    Case("c/count_vowels", "count_vowels", "Aeiou and sometimes y " * 40),
    Case("wat/count_vowels", "count_vowels", "Hello, World!"),
    Case("wat/count_vowels", "count_vowels", "Aeiou and sometimes y " * 40),
    Case("c/greet", "greet", "Ada", config={"greeting": "Bonjour"}, times=3),
    Case("c/greet", "greet", "Grace"),
    Case("wat/echo", "echo", ""),
    Case("wat/echo", "echo", "x"),
    Case("wat/echo", "echo", "twelve bytes"),
    Case("wat/echo", "echo", "ünïcödé ✓ " * 30),
    Case("wat/kernel", "config", "greeting", config={"greeting": "Hi there"}),
    Case("wat/kernel", "count_calls", times=3),
    Case("wat/kernel", "log", log_level="trace"),
    Case("wat/kernel", "ready"),
    Case("wat/wasi", "hello", wasi=True),
]


@pytest.mark.parametrize("case", SAME_OUTPUT, ids=lambda case: case.id)
def test_same_output_and_logs(plugins, swiftbase_binary, case):
    reference, ours = both(swiftbase_binary, case)
    for call, (theirs, mine) in enumerate(zip(reference, ours)):
        assert theirs.error is None, f"call {call}: Extism failed: {theirs.error}"
        assert mine.error is None, f"call {call}: Swiftbase failed: {mine.code}: {mine.error}"
        assert mine.output == theirs.output, f"call {call}"
        assert mine.logs == theirs.logs, f"call {call}"


@pytest.mark.parametrize("level, digit", [("debug", b"1"), ("info", b"2"), ("error", b"4")])
def test_log_lines_below_the_level_are_dropped(plugins, swiftbase_binary, level, digit):
    (theirs,), (mine,) = both(swiftbase_binary, Case("wat/kernel", "log", log_level=level))
    assert mine.logs == theirs.logs and mine.logs
    # get_log_level: Extism answers its process-wide level (trace here, set once for the whole module), Swiftbase
    # the plug-in's own.
    assert theirs.output == b"0"
    assert mine.output == digit


# --------------------------------------------------------------------------- same errors
@pytest.mark.parametrize("case, message", [
    (Case("wat/kernel", "fail"), "this plug-in always fails"),
    (Case("wat/kernel", "config", "missing", config={"greeting": "Hi"}), "no config value for the key"),
    (Case("c/greet", "greet", ""), "greet needs a name"),
    (Case("c/greet", "greet", "n" * 201), "that name is too long"),
], ids=lambda value: value.id if isinstance(value, Case) else "")
def test_the_plugins_own_error_message(plugins, swiftbase_binary, case, message):
    (theirs,), (mine,) = both(swiftbase_binary, case)
    assert theirs.output is None and theirs.error == message
    assert mine.output is None and (mine.code, mine.error) == ("pluginFailed", message)


def test_a_non_zero_return_without_a_message_fails_with_its_code(plugins, swiftbase_binary):
    (theirs,), (mine,) = both(swiftbase_binary, Case("wat/kernel", "exit_code"))
    assert theirs.error == "Error code: 7"  # the Python SDK's words; Extism's Rust API says the text below
    assert (mine.code, mine.error) == ("pluginFailed", "Returned non-zero exit code: 7")


@pytest.mark.parametrize("export", ["grow_memory", "alloc_bomb"])
def test_memory_past_the_limit_ends_the_call(plugins, swiftbase_binary, export):
    (theirs,), (mine,) = both(swiftbase_binary, Case("wat/limits", export, memory_pages=32))
    assert theirs.error == "oom"
    assert mine.code == "memoryLimitExceeded", mine.error


def test_a_runaway_loop_ends_at_the_timeout(plugins, swiftbase_binary):
    (theirs,), (mine,) = both(swiftbase_binary, Case("wat/limits", "spin", timeout_ms=300))
    assert theirs.error == "timeout"
    assert (mine.code, mine.error) == ("timeout", "timeout")


def test_http_requests_are_refused_by_default(plugins, swiftbase_binary):
    case = Case("wat/http", "get", json.dumps({"url": "https://example.com/", "method": "GET"}))
    (theirs,), (mine,) = both(swiftbase_binary, case)
    # Extism with no allowed hosts refuses before any I/O (its Python SDK shows only the wasm backtrace).
    assert theirs.output is None and theirs.error
    assert mine.code == "hostFunctionFailed"
    assert mine.error == "http_request is not enabled, request to https://example.com/ is not allowed"


# --------------------------------------------------------------------------- a deliberate difference
@pytest.mark.parametrize("export, function", [
    ("load_far", "load_u64"), ("store_far", "store_u8"), ("output_far", "output_set"),
    ("input_past", "input_load_u64"),
])
def test_bad_offsets_trap_in_swiftbase_where_extism_reads_zero(plugins, swiftbase_binary, export, function):
    (theirs,), (mine,) = both(swiftbase_binary, Case("wat/bad_offsets", export, "abc"))
    # Extism's kernel is bounds-checked the quiet way: the load reads 0, the store and output_set do nothing.
    assert theirs.error is None and theirs.output == b""
    assert mine.code == "trap"
    assert f"extism:host/env {function}" in mine.error
