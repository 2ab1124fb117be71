#!/usr/bin/env python3
"""Write the fuzzing seed corpus and dictionary.

    seeds.py CORPUS_DIR DICT_FILE

The corpus is every `script:` of the repository's case files (tests/e2e,
tests/golden, and the shared acceptance suite when it is there), one file
per distinct script, named by its hash. The dictionary holds the language's
keywords and operators, the functions and builtins of codegen/*.def and the
probe types of probes/*.c, so it follows the tables as they change.
"""
import glob
import hashlib
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CASE_DIRS = [
    os.path.join(ROOT, "tests", "e2e", "cases"),
    os.path.join(ROOT, "tests", "golden", "cases"),
    os.path.join(ROOT, "..", "shared", "acceptance", "cases"),
]
# A uprobe target that exists on every machine (cases name the binary or a
# scratch directory).
PLACEHOLDERS = {"{{sonde}}": "/bin/bash", "{sonde}": "/bin/bash", "{{tmp}}": "/tmp",
                "{{e2e}}": "/tmp", "{{bgpid}}": "1", "{{pid}}": "1"}

KEYWORDS = """if else while for unroll break continue return let import sizeof
offsetof typeof comptime true false struct union enum config macro fn BEGIN END
begin end args retval curtask @ $ $1 $# @x $x""".split()
OPERATORS = """<<= >>= << >> <= >= == != && || ++ -- += -= *= /= %= &= |= ^= -> ..
{ } ( ) [ ] ; , : :: / * ? ! ~ # #define #if #ifdef #ifndef #else #elif #endif
#undef #include \\" \\n %d %s %u %x %llu %-5d""".split()


def scripts(path):
    """The `script:` values of a case file (one-line or `<<WORD` block)."""
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"script:(?: (.*))?$", lines[i])
        i += 1
        if not m:
            continue
        value = m.group(1) or ""
        heredoc = re.fullmatch(r"<<(\w+)", value.strip())
        if heredoc and heredoc.group(1) in lines[i:]:
            end = lines.index(heredoc.group(1), i)
            value = "".join(l + "\n" for l in lines[i:end])
            i = end + 1
        for k, v in PLACEHOLDERS.items():
            value = value.replace(k, v)
        yield value


def dictionary():
    words = set(KEYWORDS) | set(OPERATORS)
    for name in ("functions.def", "builtins.def"):
        text = open(os.path.join(ROOT, "codegen", name)).read()
        words |= set(re.findall(r"^(?:FN|AGGREGATE|BUILTIN|UNSUPPORTED)\((\w+)", text, re.M))
    for path in glob.glob(os.path.join(ROOT, "probes", "*.c")):
        text = open(path).read()
        words |= set(re.findall(r'\.name = "(\w+)"', text))
        for aliases in re.findall(r"_aliases\[\] = \{([^}]*)\}", text):
            words |= set(re.findall(r'"(\w+)"', aliases))
    # providers are followed by ':'
    return sorted(words)


def main():
    corpus, dict_file = sys.argv[1], sys.argv[2]
    os.makedirs(corpus, exist_ok=True)
    n = 0
    for d in CASE_DIRS:
        for path in sorted(glob.glob(os.path.join(d, "*.case"))):
            for s in scripts(path):
                data = s.encode()
                name = hashlib.sha1(data).hexdigest()
                out = os.path.join(corpus, name)
                if not os.path.exists(out):
                    with open(out, "wb") as f:
                        f.write(data)
                    n += 1
    with open(dict_file, "w") as f:
        for w in dictionary():
            f.write('"%s"\n' % w.replace("\\", "\\\\").replace('"', '\\"'))
    print(f"seeds: {n} new scripts in {corpus}, dictionary {dict_file}")


if __name__ == "__main__":
    main()
