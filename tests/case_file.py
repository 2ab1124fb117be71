"""The case-file format shared by the e2e and golden runners: 'key: value'
lines, blank lines and '#' comments ignored; 'key: <<WORD' takes the lines
up to 'WORD' (the block ends with a newline). Keys in `multi` may repeat and
collect a list; keys in `single` may appear once."""
import re


def parse_case_file(path, multi, single):
    case = {k: [] for k in multi}
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip() or line.startswith("#"):
            continue
        m = re.match(r"([a-z_]+):(?: (.*))?$", line)
        if not m or m.group(1) not in multi | single:
            raise ValueError(f"{path}:{i}: not a 'key: value' line with a known key: {line!r}")
        key, value = m.group(1), m.group(2) or ""
        heredoc = re.fullmatch(r"<<(\w+)", value.strip())
        if heredoc:
            try:
                end = lines.index(heredoc.group(1), i)
            except ValueError:
                raise ValueError(f"{path}:{i}: no closing {heredoc.group(1)!r}") from None
            value = "".join(l + "\n" for l in lines[i:end])
            i = end + 1
        if key in multi:
            case[key].append(value)
        elif key in case:
            raise ValueError(f"{path}:{i}: {key!r} given twice")
        else:
            case[key] = value
    return case
