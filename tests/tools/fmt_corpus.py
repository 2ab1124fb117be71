#!/usr/bin/env python3
"""--fmt on every program at hand: the examples, the standard library,
Debian's bpftrace tools (/usr/sbin/*.bt, when installed) and the scripts of
the e2e and golden cases. For each program that parses, the formatted text
must parse to the same syntax tree (`-d ast`, the tree after parsing), and
formatting it again must change nothing.

usage: fmt_corpus.py SONDE SOURCE_DIR"""
import glob, os, re, subprocess, sys, tempfile

PLACEHOLDER = re.compile(r"\{\{[a-z]+\}\}|\{sonde\}|\{repeat [^}]*\}")


def case_scripts(pattern):
    """(name, script) of each case file's `script` (placeholders made plain)."""
    for path in sorted(glob.glob(pattern)):
        text = open(path, encoding="utf-8").read()
        m = re.search(r"^script: <<(\w+)\n(.*?)^\1$", text, re.M | re.S) or re.search(r"^script: (.*)$", text, re.M)
        if m:
            script = m.group(2) if m.lastindex == 2 else m.group(1) + "\n"
            yield os.path.relpath(path), PLACEHOLDER.sub("1", script)


def corpus(src):
    for pattern in ("examples/*.bt", "stdlib/*.bt"):
        for path in sorted(glob.glob(os.path.join(src, pattern))):
            yield os.path.relpath(path, src), open(path, encoding="utf-8").read()
    for path in sorted(glob.glob("/usr/sbin/*.bt")):
        yield path, open(path, encoding="utf-8").read()
    yield from case_scripts(os.path.join(src, "tests/e2e/cases/*.case"))
    yield from case_scripts(os.path.join(src, "tests/golden/cases/*.case"))


def run(sonde, args, path):
    return subprocess.run([sonde, *args, path], capture_output=True, text=True, timeout=30)


def parse_tree(sonde, path, tmp):
    """The `AST after parsing` dump, or None when there is none."""
    r = run(sonde, ["-d", "ast", "--emit-elf", os.path.join(tmp, "out.o")], path)
    lines = r.stderr.split("\n")
    if "AST after parsing:" not in lines:
        return None
    tree = []
    for line in lines[lines.index("AST after parsing:") + 1:]:
        if not (line == "program" or line.startswith(" ")):
            break
        tree.append(line)
    return tree


def main():
    sonde, src = sys.argv[1], sys.argv[2]
    passed = failed = skipped = 0
    with tempfile.TemporaryDirectory() as tmp:
        original, once = os.path.join(tmp, "original.bt"), os.path.join(tmp, "once.bt")
        for name, text in corpus(src):
            open(original, "w").write(text)
            r = run(sonde, ["--fmt"], original)
            if r.returncode != 0:
                skipped += 1  # does not parse here (a missing header, a syntax error case)
                continue
            open(once, "w").write(r.stdout)
            again = run(sonde, ["--fmt"], once)
            tree, formatted_tree = parse_tree(sonde, original, tmp), parse_tree(sonde, once, tmp)
            problem = None
            if again.returncode != 0 or again.stdout != r.stdout:
                problem = "formatting the formatted text changes it"
            elif tree != formatted_tree:
                problem = "the formatted text parses to another tree"
            if problem:
                failed += 1
                print(f"FAIL {name}: {problem}\n--- formatted:\n{r.stdout}")
            else:
                passed += 1
    print(f"{passed} passed, {failed} failed ({skipped} programs that do not parse skipped)")
    return 1 if failed or passed < 100 else 0


if __name__ == "__main__":
    sys.exit(main())
