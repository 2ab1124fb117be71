#!/usr/bin/env python3
"""Every option `sonde --help` prints is documented: as an item (the line
after a .TP) of the man page's OPTIONS section, in the bash completion's
option list and in the zsh completion.

    python3 tests/install/help_documented.py SONDE SOURCE_DIR
"""
import os
import re
import subprocess
import sys


def help_options(sonde):
    """The options of the OPTIONS part of --help: `-x`, `--long`."""
    text = subprocess.run([sonde, "--help"], capture_output=True, text=True, check=True).stdout
    section = text.split("OPTIONS:", 1)[1].split("EXAMPLES:", 1)[0]
    options = []
    for line in section.splitlines():
        # "    -c, --cmd CMD           run ..." : the part before the description
        m = re.match(r"^    (-\S.*?)(?:\s{2,}|$)", line)
        if m:
            options += re.findall(r"(?<![\w-])--?[A-Za-z][\w-]*", m.group(1))
    return options


def man_option_items(man_path):
    """The option names on the item lines of the man page's OPTIONS section."""
    text = open(man_path).read()
    section = text.split(".SH OPTIONS", 1)[1].split("\n.SH ", 1)[0]
    lines = section.splitlines()
    items = [lines[i + 1] for i, line in enumerate(lines[:-1]) if line.startswith(".TP")]
    names = set()
    for item in items:
        plain = re.sub(r"\\f[BIRP]", "", item).replace("\\-", "-").replace('"', " ")
        names.update(re.findall(r"(?<![\w-])--?[A-Za-z][\w-]*", plain))
    return names


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip())
        return 2
    sonde, src = sys.argv[1], sys.argv[2]
    options = help_options(sonde)
    if len(options) < 20:
        print(f"FAIL: found only {len(options)} options in --help: {options}")
        return 1
    documented = man_option_items(os.path.join(src, "man", "sonde.8"))
    bash = open(os.path.join(src, "completions", "sonde.bash")).read()
    bash_options = set(re.search(r"_sonde_options='([^']*)'", bash).group(1).split())
    zsh = open(os.path.join(src, "completions", "_sonde")).read()
    zsh_options = set(re.findall(r"(?<![\w-])--?[A-Za-z][\w-]*", zsh))
    failed = 0
    for opt in options:
        missing = [where for where, names in (("man page OPTIONS", documented),
                                              ("bash completion", bash_options),
                                              ("zsh completion", zsh_options)) if opt not in names]
        if missing:
            print(f"FAIL {opt}: not in the {', '.join(missing)}")
            failed += 1
    print(f"{len(options) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
