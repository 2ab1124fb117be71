#!/usr/bin/env python3
"""Golden tests: compile only (--emit-elf), as an ordinary user, and compare
what sonde prints (diagnostics, -d dumps) and its exit status with the case.

usage: run.py --binary build/sonde [--filter REGEX] [-v]

Each tests/golden/cases/*.case file is one test; the format is described in
tests/golden/README.md. Run as root, the runner first drops to user nobody
(setpriv), so a pass also shows that compiling needs no privileges; cases
with `root: yes` (tracepoints, whose formats only root can read) run first,
as root, and are skipped when the runner is not started as root.
"""
import argparse
import difflib
import os
import pwd
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from case_file import parse_case_file  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MULTI = {"stdout_has", "stderr_has"}
SINGLE = {"script", "mode", "args", "params", "emit_elf", "exit", "stdout", "stderr", "root"}
EM_BPF = 247


def load_case(path):
    case = parse_case_file(path, MULTI, SINGLE)
    if "script" not in case or "exit" not in case:
        raise ValueError(f"{path}: 'script' and 'exit' are required")
    if case.get("mode", "e") not in ("e", "file"):
        raise ValueError(f"{path}: unknown mode {case['mode']!r}")
    for key in ("emit_elf", "root"):
        if case.get(key, "yes") not in ("yes", "no"):
            raise ValueError(f"{path}: {key} must be yes or no")
    return case


def drop_privileges(argv):
    """Re-run this script as nobody: the cases must pass without root."""
    nobody = pwd.getpwnam("nobody")
    setpriv = shutil.which("setpriv")
    if not setpriv:
        sys.exit("run.py: setpriv (util-linux) is needed to drop root")
    os.execv(setpriv, [setpriv, f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}",
                       "--clear-groups", "--inh-caps=-all", "--",
                       sys.executable, os.path.abspath(__file__), *argv])


def no_capabilities():
    with open("/proc/self/status") as f:
        eff = next(l for l in f if l.startswith("CapEff:")).split()[1]
    return int(eff, 16) == 0


def clean_env():
    """Configuration from the caller's environment must not change results."""
    env = {k: v for k, v in os.environ.items()
           if not re.match(r"(BPFTRACE_|SONDE_|__BPFTRACE_|__SONDE_|NO_COLOR$|LC_|LANG)", k)}
    env["LC_ALL"] = "C"
    return env


def is_bpf_elf(path):
    with open(path, "rb") as f:
        head = f.read(20)
    return len(head) == 20 and head[:4] == b"\x7fELF" and int.from_bytes(head[18:20], "little") == EM_BPF


def diff(expected, actual, what):
    lines = difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                 f"expected {what}", f"actual {what}")
    return "".join(lines)


def expand_repeats(script):
    """`{repeat N TEXT}` stands for TEXT written N times: inputs too large to keep."""
    return re.sub(r"\{repeat (\d+) ([^}]*)\}", lambda m: m.group(2) * int(m.group(1)), script)


def run_case(binary, case, name, env):
    tmp = tempfile.mkdtemp(prefix="sonde-golden-")
    try:
        elf = os.path.join(tmp, "out.o")
        cmd = [binary]
        if case.get("emit_elf", "yes") == "yes":
            cmd += ["--emit-elf", elf]
        cmd += shlex.split(case.get("args", ""))
        script = expand_repeats(case["script"].replace("{sonde}", binary))
        if case.get("mode", "e") == "file":
            with open(os.path.join(tmp, name + ".bt"), "w") as f:
                f.write(script)
            cmd.append(name + ".bt")
        else:
            cmd += ["-e", script]
        cmd += shlex.split(case.get("params", ""))
        try:
            p = subprocess.run(cmd, cwd=tmp, env=env, stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=30)
        except subprocess.TimeoutExpired:
            return ["timed out after 30 s"]
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        problems = []
        if str(p.returncode) != case["exit"].strip():
            problems.append(f"exit status {p.returncode}, expected {case['exit'].strip()}")
        for stream, text in (("stdout", out), ("stderr", err)):
            if stream in case:
                if text != case[stream]:
                    problems.append(diff(case[stream], text, stream))
            elif not case[stream + "_has"] and text:
                problems.append(diff("", text, stream))
            for frag in case[stream + "_has"]:
                if frag not in text:
                    problems.append(f"{stream} lacks:\n{frag.rstrip()}\n--- {stream} was:\n{text}")
        if p.returncode == 0 and "--emit-elf" in cmd and not (os.path.exists(elf) and is_bpf_elf(elf)):
            problems.append("exit 0, but no BPF ELF object was written")
        return problems
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_cases(binary, names, as_root, verbose):
    """Runs the cases whose `root` matches as_root; returns (passed, failed, seen)."""
    env = clean_env()
    passed = failed = seen = 0
    for name in names:
        try:
            case = load_case(os.path.join(HERE, "cases", name + ".case"))
            if (case.get("root", "no") == "yes") != as_root:
                continue
            seen += 1
            problems = run_case(binary, case, name, env)
        except ValueError as e:
            seen += 1
            problems = [str(e)]
        if problems:
            failed += 1
            print(f"FAIL {name}:\n" + "\n".join(problems))
        else:
            passed += 1
            if verbose:
                print(f"PASS {name}")
    return passed, failed, seen


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--filter", default="")
    ap.add_argument("-v", action="store_true", help="print every case name")
    ap.add_argument("--root-results", default="", help=argparse.SUPPRESS)  # from the root pass
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    names = sorted(f[:-len(".case")] for f in os.listdir(os.path.join(HERE, "cases"))
                   if f.endswith(".case") and re.search(args.filter, f))
    if os.geteuid() == 0:
        sys.stdout.flush()
        root = run_cases(binary, names, True, args.v)
        sys.stdout.flush()
        drop_privileges(sys.argv[1:] + ["--root-results", ",".join(map(str, root))])
    if not no_capabilities():
        sys.exit("run.py: still has capabilities; the cases must run without privileges")
    for path, mode in ((binary, os.X_OK), (os.path.join(HERE, "cases"), os.R_OK | os.X_OK)):
        if not os.access(path, mode):
            sys.exit(f"run.py: uid {os.getuid()} cannot use {path}; it must be readable by all")
    passed, failed, seen = run_cases(binary, names, False, args.v)
    if args.root_results:
        rp, rf, rs = map(int, args.root_results.split(","))
        passed, failed, seen = passed + rp, failed + rf, seen + rs
        print(f"{rp} of them as root")
    else:
        print("root cases skipped: not started as root")
    print(f"{passed} passed, {failed} failed (uid {os.getuid()})")
    return 1 if failed or not seen else 0


if __name__ == "__main__":
    sys.exit(main())
