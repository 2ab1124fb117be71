#!/usr/bin/env python3
"""Compile every bpftrace tool Debian installs (/usr/sbin/*.bt) with
--emit-elf. A tool must compile unless known-failures.txt names it with
the error it gives: a reason of this machine (a kernel struct or symbol
that is not there), never a missing sonde feature. Skips (exit 77) when
bpftrace's tools are not installed.

usage: debian_tools.py SONDE [TOOLS_DIR]"""
import glob, os, re, subprocess, sys, tempfile

def known_failures(path):
    known = {}
    for line in open(path):
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, expect = line.partition(" ")
            known[name] = expect.strip()
    return known

def main():
    sonde = sys.argv[1]
    tools = sorted(glob.glob(os.path.join(sys.argv[2] if len(sys.argv) > 2 else "/usr/sbin", "*.bt")))
    if not tools:
        print("SKIP: bpftrace's tools are not installed (apt-get install bpftrace)")
        return 77
    known = known_failures(os.path.join(os.path.dirname(os.path.abspath(__file__)), "known-failures.txt"))
    compiled = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for tool in tools:
            name = os.path.basename(tool)
            r = subprocess.run([sonde, "--emit-elf", os.path.join(tmp, "out.o"), tool],
                               capture_output=True, text=True, timeout=60)
            error = next((l for l in r.stderr.splitlines() if "ERROR" in l), r.stderr.strip()[:200])
            if r.returncode == 0:
                compiled += 1
                if name in known:
                    print(f"FAIL {name}: compiles now; remove it from known-failures.txt")
                    failed += 1
                else:
                    print(f"PASS {name}")
            elif name in known and re.search(known[name], error):
                print(f"XFAIL {name}: {error}")
            else:
                print(f"FAIL {name}: {error}")
                failed += 1
    print(f"{compiled} of {len(tools)} tools compile")
    print(f"{len(tools) - failed} passed, {failed} failed")
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main())
