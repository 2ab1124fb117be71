#!/usr/bin/env python3
"""Checks of a running sonde's --metrics server, for the e2e cases.

    metrics_check.py scrape PID [HOST]     print GET /metrics of sonde PID
                                           (HOST: 127.0.0.1, or e.g. [::1])
    metrics_check.py prometheus PID FILE   scrape sonde PID with a real
        Prometheus server started here on 127.0.0.1, then compare the series
        its HTTP API returns for {__name__=~"sonde_.*"} with FILE (one
        `name{label="v",...} value` line each, labels sorted, job and
        instance left out)

The port of sonde's server is found from the sockets PID listens on, so a
case can start sonde with `--metrics 127.0.0.1:0` and never clash with
another server. Every wait is bounded; Prometheus is stopped at the end.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

TCP_LISTEN = "0A"


def listening_port(pid):
    """The TCP port sonde PID listens on (its only listening socket)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    for table in ("tcp", "tcp6"):
        with open(f"/proc/{pid}/net/{table}") as f:
            next(f)
            for line in f:
                fields = line.split()
                if fields[3] == TCP_LISTEN and fields[9] in inodes:
                    return int(fields[1].rsplit(":", 1)[1], 16)
    sys.exit(f"sonde {pid} listens on no TCP port")


def get(url, timeout=2.0):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def series_lines(result):
    lines = []
    for item in result:
        labels = dict(item["metric"])
        name = labels.pop("__name__")
        labels.pop("job", None)
        labels.pop("instance", None)
        text = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        lines.append(f"{name}{{{text}}} {item['value'][1]}" if text else f"{name} {item['value'][1]}")
    return sorted(lines)


def prometheus(pid, expected_file):
    with open(expected_file) as f:
        want = sorted(line.strip() for line in f if line.strip())
    port, web = listening_port(pid), free_port()
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                    "scrape_configs:\n  - job_name: sonde\n"
                    f"    static_configs:\n      - targets: ['127.0.0.1:{port}']\n")
        server = subprocess.Popen(["prometheus", f"--config.file={config}",
                                   f"--storage.tsdb.path={tmp}/data",
                                   f"--web.listen-address=127.0.0.1:{web}", "--log.level=error"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            query = urllib.parse.quote('{__name__=~"sonde_.*"}')
            got, deadline = [], time.monotonic() + 8
            while time.monotonic() < deadline:
                time.sleep(0.25)
                try:
                    answer = json.loads(get(f"http://127.0.0.1:{web}/api/v1/query?query={query}"))
                except OSError:
                    continue  # not up yet
                got = series_lines(answer["data"]["result"])
                if got == want:
                    print("prometheus: all series as expected")
                    return 0
            targets = ""
            try:
                targets = get(f"http://127.0.0.1:{web}/api/v1/targets")
            except OSError:
                pass
            print("want:\n  " + "\n  ".join(want) + "\ngot:\n  " + "\n  ".join(got))
            print("targets: " + targets[:600])
            return 1
        finally:
            server.terminate()
            try:
                server.wait(timeout=5)
            except subprocess.TimeoutExpired:
                server.kill()


def main():
    if len(sys.argv) in (3, 4) and sys.argv[1] == "scrape":
        host = sys.argv[3] if len(sys.argv) == 4 else "127.0.0.1"
        sys.stdout.write(get(f"http://{host}:{listening_port(sys.argv[2])}/metrics"))
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "prometheus":
        return prometheus(sys.argv[2], sys.argv[3])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
