#!/usr/bin/env bash
# Static analysis of the portable layers: cppcheck and clang-tidy (checks and
# the reasons for the few that are off: .clang-tidy). Any finding fails.
# Suppressions are inline, each with its justification next to it
# (grep -rn 'cppcheck-suppress\|NOLINT' src port apps).
#
#   scripts/static-analysis.sh            env: SA_BUILD (default build-analysis)
#
# The files come from the compile database of a portable-only configuration
# (DFUKIT_HOST=OFF: exactly what a firmware build compiles, with its flags),
# restricted to the layers below; src/flash/flash_file.c (host-only, POSIX)
# is analysed with the host configuration's flags.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
build="${SA_BUILD:-$root/build-analysis}"
layers=(src/usbd src/dfu src/flash src/image src/boot port/vudc lib/sample/sample_device.c)

for t in cppcheck clang-tidy; do
	command -v "$t" >/dev/null || { echo "static-analysis.sh: $t is needed" >&2; exit 1; }
done
echo "== static analysis: $(cppcheck --version), clang-tidy $(clang-tidy --version | sed -n 's/.*version \([0-9.]*\).*/\1/p' | head -1)"

cmake -S . -B "$build/portable" -DDFUKIT_HOST=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake -S . -B "$build/host" -DCMAKE_BUILD_TYPE=Debug >/dev/null
# Files the build generates are in the compile database; make them exist.
cmake --build "$build/portable" --target dfukit_generated_sources >/dev/null

# The files of the layers, as the compile database lists them.
mapfile -t files < <(sed -n 's/^ *"file": "\(.*\)",\{0,1\}$/\1/p' "$build/portable/compile_commands.json" |
	while read -r f; do
		for l in "${layers[@]}"; do
			case "$f" in "$root/$l" | "$root/$l"/*) echo "$f" ;; esac
		done
	done | sort -u)
host_only=("$root/src/flash/flash_file.c")
for l in "${layers[@]}"; do
	printf '%s\n' "${files[@]}" | grep -q "^$root/$l" || { echo "no file of $l in the build" >&2; exit 1; }
done
echo "files: ${#files[@]} portable + ${#host_only[@]} host-only"

fail=0
cpp_opts=(--enable=warning,style,performance,portability --std=c11 --inline-suppr -q
	--error-exitcode=1 --suppress=missingIncludeSystem
	--template='{file}:{line}: {severity}: {message} [{id}]')
filters=()
for f in "${files[@]}"; do filters+=(--file-filter="$f"); done
echo "-- cppcheck"
cppcheck --project="$build/portable/compile_commands.json" "${filters[@]}" "${cpp_opts[@]}" || fail=1
cppcheck -I include -D_POSIX_C_SOURCE=200809L "${cpp_opts[@]}" "${host_only[@]}" || fail=1

echo "-- clang-tidy"
# GCC-only warning switches in the host flags are not clang's business.
tidy=(clang-tidy --quiet --config-file="$root/.clang-tidy" --extra-arg=-Wno-unknown-warning-option)
# (clang-tidy 14 prints "N warnings generated." for the headers it skips.)
printf '%s\n' "${files[@]}" | xargs -P "$(nproc)" -n 2 "${tidy[@]}" -p "$build/portable" \
	2> >(grep -v ' warnings\? generated\.$' >&2) || fail=1
"${tidy[@]}" -p "$build/host" "${host_only[@]}" 2> >(grep -v ' warnings\? generated\.$' >&2) || fail=1

if [ "$fail" -ne 0 ]; then
	echo "static analysis: findings above" >&2
	exit 1
fi
echo "static analysis: no findings"
