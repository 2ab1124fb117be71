#!/usr/bin/env python3
"""Compile every examples/*.bt, then run each against the real kernel with a
small workload and check that its output shows the workload.

    python3 tests/examples/run.py --binary build/sonde [--examples DIR] [-v]

Needs root (exit 77, a skip, otherwise). An example whose target (a JVM, a
compiler for the workload) is not installed is skipped with the reason; an
example missing from RUNS below fails, so every new example gets a run.
Ends with `N passed, M failed, K skipped`.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap

LIBJVM = "/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so"
LIBSTDCXX = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6"

TCP_DEMO = """\
import socket, threading
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen()
def serve():
    c, _ = srv.accept(); c.recv(10); c.close()
threading.Thread(target=serve).start()
s = socket.create_connection(srv.getsockname()); s.sendall(b"hi"); s.close()
"""

FIB = """\
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
fib(10)
"""

THROWS = """\
#include <stdexcept>
int main() {
	for (int i = 0; i < 3; i++)
		try { throw std::runtime_error("x"); } catch (const std::exception &) {}
}
"""

BUSY = """\
end=$(($(date +%s) + 2))
while [ "$(date +%s)" -lt "$end" ]; do :; done
"""

# name: how to run it. cmd: the -c command ({tmp} is a scratch directory);
# params: after the program; sigint: seconds before SIGINT (else the example
# ends by itself or with its command); needs: files that must exist;
# setup: files to write in {tmp}; build: a command to run first; expect:
# regexes stdout must match.
RUNS = {
    "opensnoop": dict(cmd="/usr/bin/cat /etc/hostname", expect=[r"\n\d+ +cat +3 /etc/hostname\n"]),
    "execsnoop": dict(cmd="/bin/sh -c /bin/true", expect=[r"exec /bin/sh -c /bin/true\n",
                                                          r"exit true, status 0"]),
    "syscount": dict(params=["--", "--seconds=1"], expect=[r"@syscall\[\w+\]: \d+", r"@process\["]),
    "runqlat": dict(sigint=1.5, expect=[r"@usecs:\n\[\d"]),
    "biolatency": dict(cmd="/bin/dd if=/dev/zero of={tmp}/out bs=64k count=16 oflag=direct status=none",
                       expect=[r"@usecs\[\(\d+, \d+\), W"]),
    "tcplife": dict(setup={"tcp.py": TCP_DEMO}, cmd="/usr/bin/python3 {tmp}/tcp.py",
                    expect=[r"\d+ +python3 +127\.0\.0\.1 +\d+ +127\.0\.0\.1 +\d+ +\d+\n"]),
    "uprobe_latency": dict(params=["libc", "getaddrinfo"], cmd="/usr/bin/getent ahosts localhost",
                           expect=[r"@usecs\[getent\]:\n\[", r"@slowest_us: \d+"]),
    "python_calls": dict(setup={"fib.py": FIB}, cmd="/usr/bin/python3 {tmp}/fib.py",
                         needs=["/usr/bin/python3"], expect=[r"@calls\[\S*fib\.py, fib\]: 177\n"]),
    "java_gc": dict(cmd="/usr/bin/java -Xlog:disable -version", needs=[LIBJVM, "/usr/bin/java"],
                    expect=[r"@classes_loaded\[\d+, \S+\]: \d+"]),
    "cpp_exceptions": dict(setup={"throws.cpp": THROWS}, build="g++ -o {tmp}/throws {tmp}/throws.cpp",
                           cmd="{tmp}/throws", needs=[LIBSTDCXX, "/usr/bin/g++"],
                           expect=[r"@thrown\[\d+, throws\]: 3\n", r"@caught\[\d+, throws\]: 3\n"]),
    # a busy command, so that an idle machine still has samples
    "profile": dict(setup={"busy.sh": BUSY}, cmd="/bin/sh {tmp}/busy.sh", params=["--", "--seconds=1"],
                    expect=[r"@mode\[(user|kernel)\]: \d+"]),
}


def compile_example(sonde, path):
    """--emit-elf: compile only. Returns an error text or None."""
    p = subprocess.run([sonde, "--emit-elf", "/dev/null", path, "libc", "getaddrinfo"],
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        return f"does not compile (status {p.returncode}):\n{p.stderr}"
    if "WARNING" in p.stdout or "WARNING" in p.stderr:
        return f"compiles with warnings:\n{p.stdout}{p.stderr}"
    return None


def run_example(sonde, path, spec, tmp):
    """Run it; returns (status, reason): status is PASS, FAIL or SKIP."""
    missing = [f for f in spec.get("needs", []) if not os.path.exists(f)]
    if missing:
        return "SKIP", f"not installed: {', '.join(missing)}"
    for name, text in spec.get("setup", {}).items():
        with open(os.path.join(tmp, name), "w") as f:
            f.write(text)
    if "build" in spec:
        b = subprocess.run(spec["build"].format(tmp=tmp), shell=True, capture_output=True, text=True)
        if b.returncode != 0:
            return "FAIL", f"workload build failed: {b.stderr}"
    argv = [sonde]
    if "cmd" in spec:
        argv += ["-c", spec["cmd"].format(tmp=tmp)]
    argv += [path] + spec.get("params", [])
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp)
    try:
        if "sigint" in spec:
            try:
                proc.wait(timeout=spec["sigint"])
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return "FAIL", f"did not end within 60 s\nstderr:\n{err}"
    if proc.returncode != 0 or not re.search(r"^Attached \d+ probes?$", err, re.M):
        return "FAIL", f"status {proc.returncode}\nstderr:\n{err}\nstdout:\n{out}"
    for pattern in spec["expect"]:
        if not re.search(pattern, out):
            return "FAIL", f"stdout does not match {pattern!r}:\n{out}"
    return "PASS", ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--examples", default=os.path.join(os.path.dirname(__file__), "..", "..", "examples"))
    ap.add_argument("-v", action="store_true", help="print the output of failures in full")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: the examples run against the kernel, as root")
        return 77
    sonde = os.path.abspath(args.binary)
    names = sorted(f[:-3] for f in os.listdir(args.examples) if f.endswith(".bt"))
    passed = failed = skipped = 0
    for name in names:
        path = os.path.abspath(os.path.join(args.examples, name + ".bt"))
        spec = RUNS.get(name)
        if spec is None:
            status, reason = "FAIL", "no entry in RUNS of tests/examples/run.py"
        elif not os.path.exists(os.path.join(args.examples, name + "_example.txt")):
            status, reason = "FAIL", f"{name}_example.txt is missing"
        else:
            missing = [f for f in spec.get("needs", []) if not os.path.exists(f)]
            error = None if missing else compile_example(sonde, path)
            if error:
                status, reason = "FAIL", error
            else:
                tmp = tempfile.mkdtemp(prefix=f"sonde-example-{name}-", dir=os.getcwd())
                try:
                    status, reason = run_example(sonde, path, spec, tmp)
                finally:
                    shutil.rmtree(tmp, ignore_errors=True)
        if not args.v and len(reason) > 2000:
            reason = reason[:2000] + "..."
        print(f"{status} {name}" + (": " + textwrap.indent(reason, "    ").lstrip() if reason else ""))
        passed += status == "PASS"
        failed += status == "FAIL"
        skipped += status == "SKIP"
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
