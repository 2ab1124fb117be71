#!/usr/bin/env python3
"""Check the tseries charts in a text-mode stdout against LANGUAGE.md §10.4.

The chart depends on the time of day, so instead of fixed text this script
recomputes every line of a chart from the values and labels it prints, and
compares the rows' values with what the case expects:

    tseries_check.py STDOUT --chart NAME --interval 100ms --count 5 \
        [--values -,-,7] [--present -5,5] [--chart ...]

--values: every row's value, oldest first (`-` for an interval without one);
--present: values that must appear in some row. A chart reading `<no data>`
matches `--values none`.
"""
import re
import sys

W, P = 53, 21
UNITS = {"ns": 1, "us": 1000, "ms": 1000000, "s": 1000000000}


def duration_ns(text):
    m = re.fullmatch(r"(\d+)(ns|us|ms|s)?", text)
    if not m:
        raise SystemExit(f"bad interval {text}")
    return int(m.group(1)) * UNITS[m.group(2) or "ns"]


def fraction_digits(interval_ns):
    if interval_ns >= 1000000000:
        return 0
    if interval_ns >= 1000000:
        return 3
    return 6 if interval_ns >= 1000 else 9


def charts(stdout):
    """NAME -> the lines after the `NAME:` line up to the empty line."""
    found, lines, i = {}, stdout.split("\n"), 0
    while i < len(lines):
        m = re.fullmatch(r"(@.*):", lines[i])
        if m and i + 1 < len(lines) and (lines[i + 1] == "<no data>" or lines[i + 1].startswith(" ")):
            j = i + 1
            while j < len(lines) and lines[j] != "":
                j += 1
            found.setdefault(m.group(1), lines[i + 1:j])
            i = j
        i += 1
    return found


def label_units(label, digits):
    """A label's time of day in units of 10^-digits seconds."""
    hms, _, frac = label.partition(".")
    h, m, s = (int(x) for x in hms.split(":"))
    return ((h * 60 + m) * 60 + s) * 10 ** digits + (int(frac) if digits else 0)


def check_chart(name, lines, interval_ns, count, want_values, present):
    fail = lambda msg: sys.exit(f"{name}: {msg}\n" + "\n".join(lines))
    if lines == ["<no data>"]:
        if want_values != ["none"]:
            fail("unexpected <no data>")
        return
    if want_values == ["none"]:
        fail("expected <no data>")
    digits = fraction_digits(interval_ns)
    L = 8 + (digits + 1 if digits else 0)
    fmt = "hh:mm:ss" + {0: "", 3: ".ms", 6: ".us", 9: ".ns"}[digits]
    rows = lines[2:-2]
    if len(rows) != count:
        fail(f"{len(rows)} rows, expected {count}")
    values, labels = [], []
    for row in rows:
        label, field, rest = row[:L], row[L + 1:L + 1 + W], row[L + 1 + W:]
        if not re.fullmatch(r"\d\d:\d\d:\d\d" + (r"\.\d{%d}" % digits if digits else ""), label):
            fail(f"bad label in {row!r}")
        if row[L] != " " or len(field) != W:
            fail(f"bad row {row!r}")
        if rest == " -":
            values.append(None)
        elif re.fullmatch(r" -?\d+", rest):
            values.append(int(rest))
        else:
            fail(f"bad value in {row!r}")
        labels.append(label)
    have = [v for v in values if v is not None]
    if not have:
        fail("no values but no <no data>")
    lo, hi = min(have), max(have)
    if lo == hi:
        lo, hi = (lo - 1 if lo > -2 ** 63 else lo), (hi + 1 if hi < 2 ** 64 - 1 else hi)
    bounds = " " * (L + 1) + f"{lo:<{P}}" + f"{hi:>{W - P}}"
    expect = [bounds, f"{fmt:<{L + 1}}" + "|" + "_" * (W - 2) + "|"]
    for label, v in zip(labels, values):
        field = [" "] * W
        field[0] = field[W - 1] = "|"
        if lo < 0 < hi:
            field[min(W * (0 - lo) // (hi - lo), W - 1)] = "."
        if v is not None:
            field[min((W - 1) * (v - lo) // (hi - lo), W - 1)] = "*"
        expect.append(label + " " + "".join(field) + (" -" if v is None else f" {v}"))
    expect += [" " * L + " v" + "_" * (W - 2) + "v", bounds]
    for got, exp in zip(lines, expect):
        if got != exp:
            fail(f"line\n{got!r}\nexpected\n{exp!r}")
    if len(lines) != len(expect):
        fail(f"{len(lines)} lines, expected {len(expect)}")
    # consecutive intervals: the labels step by the interval (mod a day)
    unit_ns = 10 ** (9 - digits)
    for a, b in zip(labels, labels[1:]):
        step = (label_units(b, digits) - label_units(a, digits)) % (86400 * 10 ** digits)
        if abs(step * unit_ns - interval_ns) >= unit_ns:
            fail(f"labels {a} and {b} are not one interval apart")
    if want_values is not None:
        got = ["-" if v is None else str(v) for v in values]
        if got != want_values:
            fail(f"values {got}, expected {want_values}")
    for p in present:
        if p not in have:
            fail(f"value {p} missing from {have}")


def main(argv):
    stdout = open(argv[1]).read()
    found = charts(stdout)
    args, i, checked = argv[2:], 0, 0
    spec = None
    specs = []
    while i < len(args):
        key, val = args[i], args[i + 1]
        i += 2
        if key == "--chart":
            spec = {"name": val, "values": None, "present": []}
            specs.append(spec)
        elif key == "--interval":
            spec["interval"] = duration_ns(val)
        elif key == "--count":
            spec["count"] = int(val)
        elif key == "--values":
            spec["values"] = val.split(",")
        elif key == "--present":
            spec["present"] = [int(x) for x in val.split(",")]
        else:
            sys.exit(f"unknown option {key}")
    for s in specs:
        if s["name"] not in found:
            sys.exit(f"no chart {s['name']} in stdout (found {sorted(found)})")
        check_chart(s["name"], found[s["name"]], s["interval"], s["count"], s["values"], s["present"])
        checked += 1
    if not checked:
        sys.exit("no chart checked")


if __name__ == "__main__":
    main(sys.argv)
