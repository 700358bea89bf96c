"""Per-step wall time and peak RSS of one armsflow command (``python -m pipelines.bench.steps [--] ARGV...``).

The command runs as a child; its progress lines on stderr (``[i/n] step: ...``) mark where each step starts, and
its resident memory (VmRSS of the child) is sampled every 20 ms, so each step gets the highest sample seen while
it ran. Prints one line per step and the whole command's wall time and peak. For profiling, not for tests.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time

STEP = re.compile(r"^\[(\d+)/\d+\] ([\w-]+):|^\[(checks)\]")


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of the process so far (all its threads)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def profile(argv: list[str]) -> list[tuple[str, float, float, float]]:
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    current, peaks, starts, done = ["start"], {"start": 0.0}, {"start": time.perf_counter()}, threading.Event()
    cpus, last_cpu = {}, [0.0]
    order = ["start"]

    def sample() -> None:
        while not done.is_set():
            mb = rss_mb(proc.pid)
            step = current[0]
            now = cpu_s(proc.pid)
            if now:
                cpus[step] = cpus.get(step, 0.0) + now - last_cpu[0]
                last_cpu[0] = now
            peaks[step] = max(peaks.get(step, 0.0), mb)
            time.sleep(0.02)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    t0 = time.perf_counter()
    for line in proc.stderr:
        m = STEP.match(line)
        if m:
            name = m.group(2) or m.group(3)
            starts[name] = time.perf_counter()
            peaks.setdefault(name, 0.0)
            order.append(name)
            current[0] = name
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    end = time.perf_counter()
    done.set()
    thread.join()
    rows = []
    for i, name in enumerate(order):
        stop = starts[order[i + 1]] if i + 1 < len(order) else end
        rows.append((name, stop - starts[name], cpus.get(name, 0.0), peaks.get(name, 0.0)))
    rows.append(("TOTAL", end - t0, usage.ru_utime + usage.ru_stime, max(peaks.values())))
    if proc.returncode:
        rows.append((f"exit {proc.returncode}", 0.0, 0.0, 0.0))
    return rows


def main() -> None:
    argv = sys.argv[1:]
    if argv and argv[0] == "--":
        argv = argv[1:]
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}", flush=True)
    for name, seconds, cpu, mb in profile(argv):
        print(f"{name:<28} {seconds:8.2f} s {cpu:8.2f} cpu-s {mb:8.0f} MB", flush=True)


if __name__ == "__main__":
    main()
