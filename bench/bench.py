#!/usr/bin/env python3
"""The benchmark of bench/README.md: sonde next to Debian's bpftrace and next
to hand-written libbpf floor programs (bench/floor.c, bench/floors/), in one
interleaved run (sonde, bpftrace, floor, sonde, bpftrace, floor, ...), so
machine noise reaches all three alike. Prints the best of RUNS for each
workload, the ratio sonde/floor and whether the goals of the performance work
are met. Run it through bench/bench.sh (root; it builds the helpers)."""

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

# 23 different syscall tracepoints for the "23-probe script" workload.
SYSCALLS_23 = [
    "read", "write", "openat", "close", "newfstat", "lseek", "mmap", "mprotect",
    "munmap", "brk", "ioctl", "pread64", "pwrite64", "readv", "writev", "access",
    "pipe", "select", "sched_yield", "mremap", "msync", "mincore", "madvise",
]
TOOLS = ("sonde", "bpftrace", "floor")
STATS_HELD = "on"


class Bench:
    """Paths, sizes and scratch directory of one benchmark run."""

    def __init__(self, args, scratch):
        self.sonde = args.sonde
        self.bpftrace = args.bpftrace
        self.floor = os.path.join(args.helpers, "bench-floor")
        self.progstats = os.path.join(args.helpers, "bench-progstats")
        self.getpid = os.path.join(args.helpers, "bench-getpid")
        self.run = os.path.join(args.helpers, "bench-run")
        self.calls = args.calls
        self.printf_calls = args.printf_calls
        self.timeout = args.timeout
        self.scratch = scratch

    def tool_binary(self, tool):
        return self.sonde if tool == "sonde" else self.bpftrace


def run_getpid(bench, calls):
    out = subprocess.run([bench.getpid, str(calls)], stderr=subprocess.PIPE,
                         text=True, check=True)
    return loop_ns(out.stderr)


def loop_ns(text):
    m = re.search(r"getpid_loop: \d+ calls in (\d+) ns", text)
    return int(m.group(1)) if m else None


def prog_stats(bench, pid):
    """{prog id: (run_cnt, run_time_ns)} of the programs process pid holds."""
    out = subprocess.run([bench.progstats, str(pid)], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    stats = {}
    for line in out.stdout.splitlines():
        fields = line.split()
        if len(fields) >= 4:
            stats[int(fields[0])] = (int(fields[2]), int(fields[3]))
    return stats


def stop(proc, timeout):
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_attached(bench, proc):
    """Calls getpid() until a program of proc has run: then it is attached."""
    deadline = time.monotonic() + bench.timeout
    while time.monotonic() < deadline and proc.poll() is None:
        run_getpid(bench, 1000)
        if any(cnt for cnt, _ in prog_stats(bench, proc.pid).values()):
            return True
        time.sleep(0.05)
    return False


def in_program_cost(bench, cmd):
    """ns per run of the programs cmd attaches to sys_enter_getpid: their
    run time over the workload, divided by the runs of the busiest one (the
    workload's getpid() calls and any other process's)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not wait_attached(bench, proc):
            return None
        before = prog_stats(bench, proc.pid)
        run_getpid(bench, bench.calls)
        after = prog_stats(bench, proc.pid)
    finally:
        stop(proc, bench.timeout)
    runs = time_ns = 0
    for prog, (cnt, spent) in after.items():
        cnt0, spent0 = before.get(prog, (0, 0))
        if cnt > cnt0:
            runs = max(runs, cnt - cnt0)
            time_ns += spent - spent0
    return {"ns": time_ns / runs} if runs else None


def timed_run(bench, cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
    """(wall seconds, peak RSS in MiB, exit status) of one run of cmd, by
    bench-run (a small parent, so the peak RSS is cmd's own)."""
    result_path = os.path.join(bench.scratch, "run.result")
    try:
        subprocess.run([bench.run, result_path, *cmd], stdout=stdout, stderr=stderr,
                       timeout=bench.timeout)
        with open(result_path) as f:
            wall_ns, rss_kib, status = (int(x) for x in f.read().split())
    except (subprocess.TimeoutExpired, OSError, ValueError):
        return None, None, -1
    finally:
        if os.path.exists(result_path):
            os.unlink(result_path)
    return wall_ns / 1e9, rss_kib / 1024, status


def start_stop(bench, cmd):
    wall, rss, status = timed_run(bench, cmd)
    return {"s": wall, "mib": rss} if status == 0 else None


def printf_delivery(bench, cmd):
    """Events delivered per second of the workload's loop, and % lost."""
    out_path = os.path.join(bench.scratch, "printf.out")
    err_path = os.path.join(bench.scratch, "printf.err")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        _, _, status = timed_run(bench, cmd, stdout=out, stderr=err)
    with open(err_path, encoding="utf-8", errors="replace") as f:
        ns = loop_ns(f.read())
    if status != 0 or not ns:
        return None
    with open(out_path, "rb") as f:
        delivered = len(re.findall(rb"^\d+$", f.read(), re.M))
    calls = bench.printf_calls
    return {"rate": delivered / (ns / 1e9), "lost": 100.0 * (calls - delivered) / calls}


# Each measure: how each tool runs it (None: not measured for that tool).
def getpid_script(body):
    return "tracepoint:syscalls:sys_enter_getpid { %s }" % body


SCRIPT_23 = ", ".join("tracepoint:syscalls:sys_enter_" + s for s in SYSCALLS_23) + \
    " { @ = count(); } BEGIN { exit(); }"
SCRIPT_WILDCARD = "tracepoint:syscalls:sys_enter_* { @[probe] = count(); } BEGIN { exit(); }"
SCRIPT_PRINTF = 'tracepoint:syscalls:sys_enter_getpid /pid == cpid/ { printf("%d\\n", pid); }'
SCRIPT_BEGIN = "BEGIN { exit(); }"


def script_cmd(script):
    return lambda bench, tool: [bench.tool_binary(tool), "-e", script]


def floor_cmd(*args):
    return lambda bench, tool: [bench.floor, *args]


def printf_cmd(bench, tool):
    workload = "%s %d" % (bench.getpid, bench.printf_calls)
    if tool == "floor":
        return [bench.floor, "printf", bench.getpid, str(bench.printf_calls)]
    return [bench.tool_binary(tool), "-c", workload, "-e", SCRIPT_PRINTF]


MEASURES = {
    # The cost of running a program that does nothing: mostly the kernel's
    # clock reads for the statistics. The in-program rows subtract it.
    "baseline": (in_program_cost, {"script": None, "floor": floor_cmd("empty")}),
    "count": (in_program_cost, {"script": script_cmd(getpid_script("@ = count();")),
                                "floor": floor_cmd("count")}),
    "hist": (in_program_cost, {"script": script_cmd(getpid_script("@ = hist(nsecs & 0xffff);")),
                               "floor": floor_cmd("hist")}),
    "keyed": (in_program_cost, {"script": script_cmd(getpid_script("@[pid] = count();")),
                                "floor": floor_cmd("keyed")}),
    "printf": (printf_delivery, {"script": printf_cmd, "floor": printf_cmd}),
    "probes23": (start_stop, {"script": script_cmd(SCRIPT_23),
                              "floor": floor_cmd("probes", *("sys_enter_" + s for s in SYSCALLS_23))}),
    "wildcard": (start_stop, {"script": script_cmd(SCRIPT_WILDCARD), "floor": None}),
    "begin": (start_stop, {"script": script_cmd(SCRIPT_BEGIN), "floor": floor_cmd("minimal")}),
}

# Rows of the table: title, measure, metric, unit, higher is better, goal.
# A goal is (text, test of the best values {tool: value}). The in-program
# rows (metric "ns") are net of the baseline when it was measured.
ROWS = [
    ("empty program (statistics' own cost, subtracted below)", "baseline", "ns", "ns", False, None),
    ("`@ = count()` in-program cost", "count", "ns", "ns", False,
     ("<= 1.05x floor", lambda v: v["sonde"] <= 1.05 * v["floor"])),
    ("`@ = hist(nsecs & 0xffff)` in-program cost", "hist", "ns", "ns", False,
     ("<= 1.1x floor", lambda v: v["sonde"] <= 1.1 * v["floor"])),
    ("`@[pid] = count()` in-program cost", "keyed", "ns", "ns", False,
     ("<= 1.05x floor", lambda v: v["sonde"] <= 1.05 * v["floor"])),
    ('`printf("%d\\n", pid)` delivered', "printf", "rate", "M events/s", True, None),
    ('`printf("%d\\n", pid)` lost', "printf", "lost", "%", False,
     ("0 lost", lambda v: v["sonde"] == 0)),
    ("23-probe script start+stop", "probes23", "s", "ms", False,
     ("<= 1.05x floor", lambda v: v["sonde"] <= 1.05 * v["floor"])),
    ("`sys_enter_* { @[probe] = count(); }` start+stop", "wildcard", "s", "ms", False,
     ("< 1 s", lambda v: v["sonde"] < 1.0)),
    ("peak RSS of `BEGIN { exit(); }`", "begin", "mib", "MiB", False,
     ("< 8 MiB", lambda v: v["sonde"] < 8.0)),
    ("start-up of `BEGIN { exit(); }`", "begin", "s", "ms", False, None),
]
SCALE = {"ms": 1000.0, "M events/s": 1e-6}


def has_tool(measure, tool):
    return MEASURES[measure][1]["floor" if tool == "floor" else "script"] is not None


def available_tools(bench, measure, skip):
    tools = []
    for tool in TOOLS:
        if (measure, tool) in skip:
            continue
        if not has_tool(measure, tool):
            continue
        if tool == "bpftrace" and not os.access(bench.bpftrace, os.X_OK):
            continue
        tools.append(tool)
    return tools


def command(bench, measure, tool):
    spec = MEASURES[measure][1]
    return spec["floor" if tool == "floor" else "script"](bench, tool)


def run_all(bench, measures, runs, skip):
    """results[measure][tool] = list of metric dicts, interleaved by tool."""
    results = {m: {t: [] for t in TOOLS} for m in measures}
    for run in range(runs):
        for measure in measures:
            for tool in available_tools(bench, measure, skip):
                result = MEASURES[measure][0](bench, command(bench, measure, tool))
                results[measure][tool].append(result)
                print("run %d/%d %-9s %-9s %s" % (run + 1, runs, measure, tool, fmt_result(result)),
                      file=sys.stderr, flush=True)
    return results


def fmt_result(result):
    if result is None:
        return "failed"
    return " ".join("%s=%.4g" % item for item in result.items())


def best(values, higher_better):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return max(values) if higher_better else min(values)


def median(values, higher_better=False):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def fmt_value(value, unit):
    if value is None:
        return "—"
    value *= SCALE.get(unit, 1.0)
    return ("%.2f %s" if value < 100 else "%.0f %s") % (value, unit)


def summary(results, measure, metric, pick, higher):
    """{tool: the pick (best or median) of its runs}; in-program costs net
    of the same pick of the baseline, when it was measured."""
    values = {t: pick([r and r[metric] for r in results[measure][t]], higher) for t in TOOLS}
    if metric == "ns" and measure != "baseline" and "baseline" in results:
        baseline = pick([r and r["ns"] for r in results["baseline"]["floor"]], False)
        for tool, value in values.items():
            if value is not None and baseline is not None:
                values[tool] = max(value - baseline, 0.0)
    return values


def ratio(values):
    if values["sonde"] is None or not values["floor"]:
        return None
    return values["sonde"] / values["floor"]


def table(bench, results, skip):
    """Each cell: best (median). The goals are judged on the best, as the
    ratio before the parentheses is."""
    lines = ["| workload | sonde | bpftrace | floor | sonde/floor | goal | met |",
             "|---|---|---|---|---|---|---|"]
    for title, measure, metric, unit, higher, goal in ROWS:
        if measure not in results:
            continue
        values = summary(results, measure, metric, best, higher)
        medians = summary(results, measure, metric, median, higher)
        cells = []
        for tool in TOOLS:
            if (measure, tool) in skip:
                cells.append("skipped")
            elif tool == "bpftrace" and not os.access(bench.bpftrace, os.X_OK):
                cells.append("missing")
            elif not has_tool(measure, tool):
                cells.append("—")
            elif values[tool] is None:
                cells.append("failed")
            else:
                cells.append("%s (%s)" % (fmt_value(values[tool], unit), fmt_value(medians[tool], unit)))
        ratio_text = "—"
        if ratio(values) is not None:
            ratio_text = "%.2fx (%.2fx)" % (ratio(values), ratio(medians) or 0.0)
        goal_text, met = "—", "—"
        if goal:
            goal_text = goal[0]
            needs_floor = "floor" in goal_text
            if values["sonde"] is not None and (values["floor"] is not None or not needs_floor):
                met = "met" if goal[1](values) else "not met"
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (title, *cells, ratio_text, goal_text, met))
    return "\n".join(lines)


def version(binary):
    try:
        out = subprocess.run([binary, "--version"], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=10)
        return out.stdout.strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "missing"


def hold_stats(bench):
    """Turns BPF run-time statistics on for as long as the returned process
    lives (its standard input open)."""
    proc = subprocess.Popen([bench.progstats, "--hold"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    if proc.stdout.readline().strip() != STATS_HELD:
        proc.wait()
        sys.exit("bench: cannot turn BPF run-time statistics on")
    return proc


def parse_args():
    here = os.path.dirname(os.path.abspath(__file__))
    build = os.path.join(os.path.dirname(here), "build")
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=7, help="runs of each workload (best is reported)")
    p.add_argument("--calls", type=int, default=2000000, help="getpid() calls per in-program run")
    p.add_argument("--printf-calls", type=int, default=2000000, help="getpid() calls per printf run")
    p.add_argument("--quick", action="store_true",
                   help="1 run each, small N, no syscall wildcard (a smoke check)")
    p.add_argument("--only", default="", help="comma-separated measures: " + ",".join(MEASURES))
    p.add_argument("--sonde", default=os.environ.get("SONDE", os.path.join(build, "sonde")))
    p.add_argument("--bpftrace", default=os.environ.get("BPFTRACE", "/usr/bin/bpftrace"))
    p.add_argument("--helpers", default=os.path.join(build, "bench"),
                   help="directory of bench-floor, bench-progstats, bench-getpid")
    p.add_argument("--timeout", type=float, default=180.0, help="seconds one run may take")
    args = p.parse_args()
    if args.quick:
        args.runs, args.calls, args.printf_calls = 1, 20000, 20000
    return args


def main():
    args = parse_args()
    measures = [m for m in (args.only.split(",") if args.only else MEASURES) if m]
    unknown = [m for m in measures if m not in MEASURES]
    if unknown:
        sys.exit("bench: unknown measure %s (known: %s)" % (", ".join(unknown), ", ".join(MEASURES)))
    if os.geteuid() != 0:
        sys.exit("bench: run as root (BPF needs it)")
    for path in (args.sonde, os.path.join(args.helpers, "bench-floor")):
        if not os.access(path, os.X_OK):
            sys.exit("bench: no %s (build sonde, then: cmake --build build --target bench)" % path)
    # The syscall wildcard takes sonde about 20 s today, bpftrace 0.17 about 25.
    skip = {("wildcard", tool) for tool in TOOLS} if args.quick else set()
    with tempfile.TemporaryDirectory(prefix="sonde-bench.") as scratch:
        bench = Bench(args, scratch)
        stats = hold_stats(bench)
        try:
            results = run_all(bench, measures, args.runs, skip)
        finally:
            stats.stdin.close()
            stats.wait()
        print("sonde:    %s (%s)" % (version(bench.sonde), bench.sonde))
        print("bpftrace: %s (%s)" % (version(bench.bpftrace), bench.bpftrace))
        print("kernel %s, %d CPUs; best (median) of %d interleaved runs; %d getpid() calls per "
              "in-program run (cost net of the empty program), %d per printf run" % (os.uname().release, os.cpu_count(), args.runs,
                                                     bench.calls, bench.printf_calls))
        print()
        print(table(bench, results, skip))
        print()
        print("23-probe script: tracepoint:syscalls:sys_enter_{%s} { @ = count(); } "
              "BEGIN { exit(); }" % ",".join(SYSCALLS_23))
        print("wildcard script: " + SCRIPT_WILDCARD)
        print("printf script:   " + SCRIPT_PRINTF + " (-c the getpid workload)")
    failed = any(r is None for m in results.values() for rs in m.values() for r in rs)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
