"""What the benchmarks share: a free loopback port, and a process's CPU time and memory from /proc."""
import os
import socket


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """User + system CPU seconds of `pid` so far (fields 14 and 15 of /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def status_mib(pid, field):
    """A size field of /proc/PID/status in MiB: `VmRSS` (resident now) or `VmHWM` (peak resident)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def client_report(output):
    """The report of a compiled subscriber (`bench_client.h`): its deliveries as (title, perf_counter seconds)
    and its CPU seconds."""
    deliveries, cpu = [], 0.0
    for line in output.splitlines():
        a, b = line.split()
        if a == "cpu":
            cpu += float(b)
        else:
            deliveries.append((a, int(b) / 1e9))
    return deliveries, cpu
