#!/usr/bin/env python3
"""The code's shape, checked: no source file outside tests over MAX_FILE lines,
no function over MAX_FUNC lines (issue 13). Prints the largest of each, then
every violation; exits 1 if there is one, or if it found nothing to measure.

  scripts/check-shape.py [ROOT]

A function is measured from its first line to the closing brace in column 0
(the code's style: a function's braces stand in column 0)."""
import os
import re
import sys

MAX_FILE = 800
MAX_FUNC = 80
DIRS = ("src", "port", "tools", "apps", "include", "boards", "bench", "fuzz")
SKIP = ("tests",)  # test code may be long: a table of cases reads best in one piece

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
root = os.path.abspath(root)
head = re.compile(r"^[A-Za-z_][^;]*\(")  # a top-level line opening a parameter list


def sources():
    for d in DIRS:
        for base, dirs, files in os.walk(os.path.join(root, d)):
            dirs[:] = [x for x in dirs if x not in SKIP]
            for f in files:
                if f.endswith((".c", ".h")):
                    yield os.path.join(base, f)


def functions(lines):
    """(name, first line, length) of each function definition."""
    cand = start = None  # the last top-level line naming a function; the open body
    for i, line in enumerate(lines):
        if start is not None:
            if line.startswith("}"):
                yield cand[0], cand[1] + 1, i - cand[1] + 1
                start = cand = None
        elif line.startswith("{") and cand is not None:
            start = i
        elif head.match(line) and not line.startswith(("typedef", "#")):
            m = re.search(r"([A-Za-z_]\w*)\s*\(", line)
            cand = (m.group(1) if m else "?", i)
        elif line.rstrip().endswith(";") and not line.startswith((" ", "\t")):
            cand = None  # a declaration, not a definition


files, funcs = [], []
for path in sources():
    with open(path, errors="replace") as f:
        lines = f.read().split("\n")
    rel = os.path.relpath(path, root)
    files.append((len(lines) - 1, rel))
    for name, first, length in functions(lines):
        funcs.append((length, f"{rel}:{first} {name}"))
if not files or not funcs:
    sys.exit(f"check-shape: no sources or no functions found under {root}")
files.sort(reverse=True)
funcs.sort(reverse=True)
print(f"check-shape: {len(files)} files, {len(funcs)} functions")
print("largest files:", ", ".join(f"{p} {n}" for n, p in files[:3]))
print("longest functions:", ", ".join(f"{w} {n}" for n, w in funcs[:3]))
bad = [f"file {p}: {n} lines > {MAX_FILE}" for n, p in files if n > MAX_FILE]
bad += [f"function {w}: {n} lines > {MAX_FUNC}" for n, w in funcs if n > MAX_FUNC]
for b in bad:
    print("check-shape: " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
