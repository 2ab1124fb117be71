#!/usr/bin/env python3
"""Check that every BPF map held by a running process has BTF (btf_id != 0).

usage: map_btf.py PID [NAME...]

The maps are found through /proc/PID/fdinfo (map_id lines); their info comes
from `bpftool -j map show id N`. Each NAME must be among them. A map created
without BTF usually means the kernel rejected the object's .BTF and libbpf
carried on silently, so this is worth a test of its own.

Map types without key/value types (ring buffers) or for which libbpf drops the
BTF (perf event arrays, stack traces, ...) never have a btf_id; they are
listed but not counted.
"""
import json
import os
import subprocess
import sys

NO_BTF_TYPES = {"ringbuf", "user_ringbuf", "perf_event_array", "stack_trace", "cgroup_array",
                "array_of_maps", "hash_of_maps", "devmap", "devmap_hash", "cpumap", "xskmap",
                "sockmap", "sockhash", "queue", "stack"}


def map_ids(pid):
    ids = set()
    fdinfo = f"/proc/{pid}/fdinfo"
    for fd in os.listdir(fdinfo):
        try:
            with open(os.path.join(fdinfo, fd)) as f:
                for line in f:
                    if line.startswith("map_id:"):
                        ids.add(int(line.split()[1]))
        except OSError:
            pass  # the fd was closed meanwhile
    return ids


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__.strip())
    pid, names = int(sys.argv[1]), sys.argv[2:]
    problems, seen = [], set()
    for map_id in sorted(map_ids(pid)):
        out = subprocess.run(["bpftool", "-j", "map", "show", "id", str(map_id)],
                             capture_output=True, text=True)
        if out.returncode:
            continue  # gone meanwhile
        info = json.loads(out.stdout)
        name = info.get("name", "")
        seen.add(name)
        kind = info.get("type")
        print(f"map {map_id} {name!r} type {kind} btf_id {info.get('btf_id', 0)}")
        if not info.get("btf_id") and kind not in NO_BTF_TYPES:
            problems.append(f"map {name!r} (id {map_id}) has no BTF")
    problems += [f"no map named {n!r} in process {pid}" for n in names if n not in seen]
    for p in problems:
        print("FAIL: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
