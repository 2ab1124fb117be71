#!/usr/bin/env python3
"""End-to-end tests: run sonde against the real kernel and check what it prints.

usage: run.py --binary build/sonde [--filter REGEX] [--known-failures FILE] [--list] [-v]
              [--sanitizer-reports]

Each tests/e2e/cases/*.case file is one test; the format is described in
tests/e2e/README.md. Python 3 standard library only. Must run as root.
"""
import argparse
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from case_file import parse_case_file  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MULTI = {"stdout_re", "stdout_not", "stderr_re", "stderr_not", "requires", "env"}
SINGLE = {"name", "desc", "script", "mode", "args", "params", "setup", "background",
          "workload", "during", "delay", "sigint", "exit", "timeout", "stdout_is",
          "stderr_is", "check", "input", "ready"}
READY = re.compile(r'^Attached \d+ probes?$|"type": "attached_probes"', re.M)
READY_FALLBACK = 3.0
# What AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer print.
SANITIZER_REPORT = re.compile(r"ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: \w+Sanitizer")
SANITIZER_FAIL = "sanitizer report"


# ---------------------------------------------------------------- case files

def load_case(path):
    case = parse_case_file(path, MULTI, SINGLE)
    case.setdefault("name", os.path.basename(path)[:-len(".case")])
    if case.get("mode", "e") not in ("e", "file", "stdin", "shebang", "none"):
        raise ValueError(f"{path}: unknown mode {case['mode']!r}")
    return case


# ---------------------------------------------------------------- features

def can_read(path):
    try:
        with open(path, "rb") as f:
            f.read(1)
        return True
    except OSError:
        return False


def tracefs(name):
    return any(os.path.exists(os.path.join(d, name))
               for d in ("/sys/kernel/tracing", "/sys/kernel/debug/tracing"))


FEATURES = {
    "root": lambda: os.geteuid() == 0,
    "btf": lambda: os.path.exists("/sys/kernel/btf/vmlinux"),
    "kprobes": lambda: tracefs("kprobe_events"),
    "uprobes": lambda: tracefs("uprobe_events"),
    # uprobe_multi links came with Linux 6.6
    "uprobe_multi": lambda: tracefs("uprobe_events")
    and tuple(int(x) for x in re.findall(r"\d+", os.uname().release)[:2]) >= (6, 6),
    # fentry needs BTF and a usable ftrace: where the function list is locked
    # down the kernel refuses trampolines as well.
    "fentry": lambda: os.path.exists("/sys/kernel/btf/vmlinux")
    and can_read("/sys/kernel/tracing/available_filter_functions"),
}


def lacking(case):
    """Reason this machine cannot run the case, or None."""
    wanted = ["root"] + [w for v in case["requires"] for w in re.split(r"[\s,]+", v) if w]
    for want in wanted:
        if want.startswith("cmd:"):
            ok = shutil.which(want[4:]) is not None
        elif want.startswith("path:"):
            ok = os.path.exists(want[5:])
        elif want in FEATURES:
            ok = FEATURES[want]()
        elif want.startswith("no-") and want[3:] in FEATURES:
            ok = not FEATURES[want[3:]]()  # e.g. a real attach failure needs its absence
        else:
            return f"unknown requirement {want!r}"
        if not ok:
            return f"needs {want} (not available on this machine)"
    return None


# ---------------------------------------------------------------- running

def killpg(proc):
    if proc is None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def spawn_shell(cmd, tmp, env, capture=False):
    out = subprocess.PIPE if capture else subprocess.DEVNULL
    return subprocess.Popen(["bash", "-c", cmd], cwd=tmp, env=env, start_new_session=True,
                            stdin=subprocess.DEVNULL, stdout=out,
                            stderr=subprocess.STDOUT if capture else subprocess.DEVNULL)


def command_for(case, binary, tmp, expand):
    mode = case.get("mode", "e")
    script = expand(case.get("script", ""))
    args = shlex.split(expand(case.get("args", "")))
    params = shlex.split(expand(case.get("params", "")))
    stdin = None
    if mode == "e":
        argv = [binary] + args + ["-e", script] + params
    elif mode == "stdin":
        argv, stdin = [binary] + args + ["-"] + params, script.encode()
    elif mode in ("file", "shebang"):
        path = os.path.join(tmp, "script.bt")
        with open(path, "w") as f:
            f.write(("#!/usr/bin/env sonde\n" if mode == "shebang" else "") + script)
        os.chmod(path, 0o755)
        if mode == "file":
            argv = [binary] + args + ["script.bt"] + params
        else:  # the kernel runs '/usr/bin/env sonde ./script.bt ARGS'
            argv = ["./script.bt"] + args + params
    else:  # none
        argv = [binary] + args + params
    if "input" in case:
        with open(os.path.join(tmp, expand(case["input"])), "rb") as f:
            stdin = f.read()
    return argv, stdin


def collect(stream, chunks, ready):
    for line in iter(stream.readline, b""):
        chunks.append(line)
        if READY.search(line.decode(errors="replace")):
            ready.set()


def run_tracer(case, argv, stdin, tmp, env, values, expand):
    """Start sonde; start workload/during and send SIGINT relative to 'ready'."""
    timeout = float(case.get("timeout", 10))
    delay = float(case.get("delay", 0.5))
    proc = subprocess.Popen(argv, cwd=tmp, env=env, start_new_session=True,
                            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    values["pid"] = str(proc.pid)
    out, err, ready_event = [], [], threading.Event()
    readers = [threading.Thread(target=collect, args=(proc.stdout, out, ready_event), daemon=True),
               threading.Thread(target=collect, args=(proc.stderr, err, ready_event), daemon=True)]
    for t in readers:
        t.start()
    if stdin is not None:
        try:
            proc.stdin.write(stdin)
            proc.stdin.close()
        except BrokenPipeError:
            pass
    helpers = {}
    start = time.monotonic()
    ready = None
    sigint_sent = timed_out = False
    while proc.poll() is None:
        now = time.monotonic()
        if now - start > timeout:
            timed_out = True
            break
        if ready is None and (ready_event.is_set() or now - start > READY_FALLBACK):
            ready = now
        if ready is not None and now - ready >= delay:
            for key in ("workload", "during"):
                if key in case and key not in helpers:
                    helpers[key] = spawn_shell(expand(case[key]), tmp, env, capture=(key == "during"))
        if ready is not None and "sigint" in case and not sigint_sent \
                and now - ready >= float(case["sigint"]):
            proc.send_signal(signal.SIGINT)
            sigint_sent = True
        time.sleep(0.02)
    killpg(proc)
    for t in readers:
        t.join(timeout=5)
    during = None
    if "during" in helpers:
        try:
            text = helpers["during"].communicate(timeout=10)[0].decode(errors="replace")
            during = (helpers["during"].returncode, text)
        except subprocess.TimeoutExpired:
            during = (-1, "did not finish")
    elif "during" in case:
        during = (-1, "sonde exited before the 'during' check could start")
    for h in helpers.values():
        killpg(h)
    decode = lambda chunks: b"".join(chunks).decode(errors="replace")
    return proc.returncode, decode(out), decode(err), timed_out, during


# ---------------------------------------------------------------- checks

def check_status(want, rc):
    if want == "any":
        return None
    if want == "error":
        if 0 < rc < 128:
            return None
        return f"exit status {rc}, expected an error status (1..127, not a crash)"
    if str(rc) == want:
        return None
    return f"exit status {rc}, expected {want}"


def first_difference(got, want):
    g, w = got.split("\n"), want.split("\n")
    for n, (a, b) in enumerate(zip(g, w), 1):
        if a != b:
            return f"line {n} is {a!r}, expected {b!r}"
    return f"{len(g)} lines, expected {len(w)}" if len(g) != len(w) else "differs"


def check_streams(case, out, err, expand):
    for name, text in (("stdout", out), ("stderr", err)):
        want = case.get(name + "_is")
        if want is not None and text != expand(want):
            return f"{name} is not exact: {first_difference(text, expand(want))}"
        for rx in case[name + "_re"]:
            if not re.search(expand(rx), text, re.M):
                return f"{name} lacks /{expand(rx)}/"
        for rx in case[name + "_not"]:
            m = re.search(expand(rx), text, re.M)
            if m:
                return f"{name} has /{expand(rx)}/ ({m.group(0)[:60]!r})"
    return None


def short(text, limit=150):
    text = " | ".join(l.strip() for l in text.strip().splitlines() if l.strip())
    return text if len(text) <= limit else text[:limit] + "..."


def run_case(case, binary, env0, verbose, sanitizer):
    tmp = tempfile.mkdtemp(prefix="sonde-e2e-")
    # every case starts with an empty compile cache of its own, so that no
    # case sees what another one compiled ({{cache}}; `env` may override it)
    cache = tempfile.mkdtemp(prefix="sonde-e2e-cache-")
    values = {"tmp": tmp, "sonde": binary, "e2e": HERE, "cache": cache}
    expand = lambda s: re.sub(r"\{\{(\w+)\}\}", lambda m: values.get(m.group(1), m.group(0)), s)
    background = None
    try:
        env = dict(env0, SONDE_CACHE_DIR=cache)
        for e in case["env"]:
            k, _, v = expand(e).strip().partition("=")
            env[k] = v
        if "setup" in case:
            r = subprocess.run(["bash", "-ec", expand(case["setup"])], cwd=tmp, env=env,
                               stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
            if r.returncode:
                return "FAIL", "setup failed: " + short((r.stderr or r.stdout).decode(errors="replace"))
        if "background" in case:
            background = spawn_shell(expand(case["background"]), tmp, env)
            values["bgpid"] = str(background.pid)
            time.sleep(0.3)
            ready = expand(case["ready"]) if "ready" in case else None
            deadline = time.time() + 5
            while ready and not os.path.exists(os.path.join(tmp, ready)) and time.time() < deadline:
                time.sleep(0.05)
        argv, stdin = command_for(case, binary, tmp, expand)
        try:
            rc, out, err, timed_out, during = run_tracer(case, argv, stdin, tmp, env, values, expand)
        except OSError as e:
            return "FAIL", f"cannot run {argv[0]}: {e}"
        if verbose:
            print("  $ " + " ".join(shlex.quote(a) for a in argv))
            for label, text in (("stdout", out), ("stderr", err)):
                print(f"  --- {label} ---")
                for l in text.splitlines()[:60]:
                    print("  | " + l)
            print(f"  --- exit {rc}")
        # Before every other check: a case that expects an error or matches
        # stderr by regex must not let a report through.
        report = SANITIZER_REPORT.search(err) if sanitizer else None
        if report:
            lines = err[report.start():].splitlines()
            return "FAIL", f"{SANITIZER_FAIL}: " + short("\n".join(lines[:8]), 400)
        if timed_out:
            return "FAIL", f"timed out after {case.get('timeout', '10')}s; stderr: {short(err)}"
        problem = check_status(case.get("exit", "0").strip(), rc)
        if problem:
            return "FAIL", problem + (f"; stderr: {short(err)}" if err.strip() else "")
        problem = check_streams(case, out, err, expand)
        if problem:
            return "FAIL", problem
        if during is not None and during[0] != 0:
            return "FAIL", "check while running failed: " + short(during[1])
        if "check" in case:
            for name, text in (("stdout", out), ("stderr", err)):
                with open(os.path.join(tmp, name), "w") as f:
                    f.write(text)
            r = subprocess.run(["bash", "-ec", expand(case["check"])], cwd=tmp, env=env,
                               stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
            if r.returncode:
                return "FAIL", "check failed: " + short((r.stdout + r.stderr).decode(errors="replace"))
        return "PASS", None
    finally:
        killpg(background)
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)


def read_names(path):
    if not path or not os.path.exists(path):
        return set()
    with open(path) as f:
        return {l.split("#")[0].strip() for l in f} - {""}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", help="sonde binary to test")
    ap.add_argument("--filter", help="only cases whose name matches this regex")
    ap.add_argument("--known-failures", help="file of case names whose failure is not counted")
    ap.add_argument("--list", action="store_true", help="list the cases")
    ap.add_argument("-v", "--verbose", action="store_true", help="show commands and output")
    ap.add_argument("--sanitizer-reports", action="store_true",
                    help="fail every case whose stderr has a sanitizer report, known failures too")
    opts = ap.parse_args()

    casedir = os.path.join(HERE, "cases")
    cases = [load_case(os.path.join(casedir, f))
             for f in sorted(os.listdir(casedir)) if f.endswith(".case")]
    cases = [c for c in cases if not opts.filter or re.search(opts.filter, c["name"])]
    if opts.list:
        for c in cases:
            print(f"{c['name']:36} {c.get('desc', '')}")
        return 0
    if not opts.binary or not os.access(opts.binary, os.X_OK):
        ap.error("--binary must name an executable file")
    binary = os.path.abspath(opts.binary)
    known = read_names(opts.known_failures)

    # '#!/usr/bin/env sonde' and '-c sonde ...' find the binary under test first.
    shim = tempfile.mkdtemp(prefix="sonde-e2e-bin-")
    os.symlink(binary, os.path.join(shim, "sonde"))
    env = dict(os.environ, LC_ALL="C", PATH=shim + os.pathsep + os.environ.get("PATH", ""))
    env.pop("BPFTRACE_COLOR", None)
    counts = {"PASS": 0, "FAIL": 0, "SKIP": 0, "XFAIL": 0}
    try:
        for case in cases:
            reason = lacking(case)
            if reason:
                status = "SKIP"
            else:
                if opts.verbose:
                    print(f"=== {case['name']}", flush=True)
                try:
                    status, reason = run_case(case, binary, env, opts.verbose,
                                              opts.sanitizer_reports)
                except (OSError, subprocess.SubprocessError) as e:
                    status, reason = "FAIL", f"runner error: {e}"
            note = ""
            if case["name"] in known:
                if status == "FAIL" and not reason.startswith(SANITIZER_FAIL):
                    status = "XFAIL"
                elif status == "PASS":
                    note = " (listed as a known failure: remove it from the list)"
            counts[status] += 1
            print(f"{status} {case['name']}" + (f": {reason}" if reason else "") + note, flush=True)
    finally:
        shutil.rmtree(shim, ignore_errors=True)
    if counts["XFAIL"]:
        print(f"known failures (not counted): {counts['XFAIL']}")
    print(f"{counts['PASS']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped")
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
