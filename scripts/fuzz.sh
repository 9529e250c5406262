#!/usr/bin/env bash
# Build the libFuzzer harnesses (tests/fuzz, clang + ASan + UBSan) and run each
# for SECONDS (default 60), seeded with the committed corpus. Prints each
# harness's executions and exits non-zero on the first crash or invariant
# failure (the reproducer is left in $OUT/<harness>/).
#
#   scripts/fuzz.sh [SECONDS] [HARNESS...]
#   env: FUZZ_BUILD (build dir, default build-fuzz), FUZZ_OUT (work dir, default
#        $FUZZ_BUILD/fuzz-out), FUZZ_JOBS (harnesses run at once, default nproc)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
secs="${1:-60}"
shift || true
build="${FUZZ_BUILD:-$root/build-fuzz}"
out="${FUZZ_OUT:-$build/fuzz-out}"
jobs="${FUZZ_JOBS:-$(nproc)}"
all=(fuzz_usbd_dfu fuzz_usbd_desc fuzz_usbip fuzz_usbip_codec fuzz_image fuzz_boot)
if [ $# -gt 0 ]; then harnesses=("$@"); else harnesses=("${all[@]}"); fi

command -v clang >/dev/null || { echo "fuzz.sh: clang is needed" >&2; exit 1; }
cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DDFUKIT_FUZZ=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${harnesses[@]}" >/dev/null

# Largest input per harness (bytes): room for a few 4 KiB transfers or images.
declare -A max_len=([fuzz_usbd_dfu]=4096 [fuzz_usbd_desc]=4096 [fuzz_usbip]=8192 [fuzz_usbip_codec]=8192 [fuzz_image]=4096 [fuzz_boot]=4096)

run_one() {
	local h="$1" dir="$out/$1"
	rm -rf "$dir"
	mkdir -p "$dir/corpus"
	# -close_fd_mask=3 would hide the invariant messages; the harnesses are quiet.
	if "$build/fuzz/$h" "$dir/corpus" "$root/tests/fuzz/corpus/$h" \
		-max_total_time="$secs" -max_len="${max_len[$h]}" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$dir/" >"$dir/log" 2>&1; then
		echo ok >"$dir/status"
	else
		echo "failed ($?)" >"$dir/status"
	fi
}

echo "== fuzzing ${harnesses[*]} for ${secs}s each ($jobs at a time)"
pids=()
for h in "${harnesses[@]}"; do
	run_one "$h" &
	pids+=($!)
	if [ "${#pids[@]}" -ge "$jobs" ]; then
		wait "${pids[0]}"
		pids=("${pids[@]:1}")
	fi
done
wait

rc=0
printf '%-16s %12s %10s %8s %s\n' harness executions exec/s corpus result
for h in "${harnesses[@]}"; do
	dir="$out/$h"
	execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)"
	st="$(cat "$dir/status")"
	n="$(find "$dir/corpus" -type f | wc -l)"
	printf '%-16s %12s %10s %8s %s\n' "$h" "${execs:-?}" "$(( ${execs:-0} / secs ))" "$n" "$st"
	if [ "$st" != ok ] || [ -z "$execs" ] || [ "$execs" -eq 0 ]; then
		rc=1
		echo "---- $h: last lines of $dir/log" >&2
		tail -30 "$dir/log" >&2
		ls "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-* 2>/dev/null >&2 || true
	fi
done
exit "$rc"
