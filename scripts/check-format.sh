#!/usr/bin/env bash
# Every C source and header git tracks (fixtures aside: they are imgtool's
# output) is formatted as .clang-format says; lists the files that are not.
#
#   scripts/check-format.sh          (fix: clang-format -i FILE...)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
command -v clang-format >/dev/null || { echo "check-format.sh: clang-format is needed" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.c' '*.h' ':!:tests/fixtures/*')
((${#files[@]} > 0)) || { echo "check-format.sh: no C files found" >&2; exit 1; }
bad=()
for f in "${files[@]}"; do
	clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if ((${#bad[@]})); then
	printf 'check-format: not formatted as .clang-format says: %s\n' "${bad[@]}" >&2
	echo "check-format: fix with: clang-format -i ${bad[*]}" >&2
	exit 1
fi
echo "check-format: ${#files[@]} files formatted as .clang-format says ($(clang-format --version | sed -n 's/.*version \([0-9.]*\).*/\1/p'))"
