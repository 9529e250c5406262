#!/usr/bin/env bash
# Run every unit test (ctest -L unit) under valgrind memcheck: no errors and
# no definite or indirect leaks allowed (mbedTLS's allocations included: the
# image code must free every bignum and context it creates).
#
#   scripts/valgrind-unit.sh        env: VG_BUILD (default build-valgrind), VG_JOBS,
#                                   VG_POWERCUT_SAMPLE (default 7; 1: every cut point),
#                                   VG_SKIP (space-separated test names not run;
#                                   each is reported as SKIPPED, never as ok)
#
# A plain Debug build (gcc, no sanitizers: valgrind and ASan do not mix).
# Each test runs with the command, working directory and environment CTest
# would use. A test that is a script (test_image_cli runs dfukit-image ~70
# times) gets the build's programs among its arguments replaced by wrappers
# that run them under valgrind (an argument that is the build directory, as
# for interop.signer, becomes a shadow of it whose bin/ holds such wrappers),
# so every process of the build is checked. A test whose
# command names no program of the build cannot be checked: that fails the
# run, nothing is skipped silently.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
build="${VG_BUILD:-$root/build-valgrind}"
jobs="${VG_JOBS:-$(nproc)}"
logs="$build/valgrind"
command -v valgrind >/dev/null || { echo "valgrind-unit.sh: valgrind is needed" >&2; exit 1; }

# dfu-gadget dynamically linked: memcheck cannot see into a static glibc
# (it reports glibc's own start-up and stdio internals as uninitialised).
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=gcc -DDFUKIT_SANITIZE=OFF \
	-DDFUKIT_GADGET_STATIC=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
rm -rf "$logs"
mkdir -p "$logs/wrap"

# The exhaustive power-cut tests repeat the same code thousands of times: under
# valgrind (30-50x slower) they run every VG_POWERCUT_SAMPLE-th cut point, the
# boot's last operation and the uncut boot (tests/unit/boot/powercut_rig.h).
powercut_sample="${VG_POWERCUT_SAMPLE:-7}"
vg=(valgrind -q --error-exitcode=97 --leak-check=full --errors-for-leak-kinds=definite,indirect
	--show-leak-kinds=definite,indirect --num-callers=30)

# ctest -N -V prints, per test: "N: Test command: ...", "N: Environment variables:",
# "N:  VAR=value"; "ctest -N" gives "Test #N: name".
listing="$(ctest --test-dir "$build" -N -V -L unit)"
mapfile -t ids < <(sed -n 's/^ *Test *#\([0-9]*\): .*/\1/p' <<<"$listing")
[ "${#ids[@]}" -gt 0 ] || { echo "no unit tests found" >&2; exit 1; }

is_build_elf() {
	case "$1" in "$build"/*) ;; *) return 1 ;; esac
	[ -f "$1" ] && [ "$(head -c4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]
}

run_test() {
	local id="$1" name cmdline dir
	name="$(sed -n "s/^ *Test *#$id: //p" <<<"$listing")"
	case " ${VG_SKIP:-} " in
	*" $name "*)
		echo "$name: SKIPPED (VG_SKIP)" >"$logs/$name.result"
		return
		;;
	esac
	cmdline="$(sed -n "s/^$id: Test command: //p" <<<"$listing")"
	local -a env_kv cmd
	mapfile -t env_kv < <(sed -n "s/^$id:  \([A-Za-z_][A-Za-z0-9_]*=.*\)$/\1/p" <<<"$listing")
	env_kv+=("DFUKIT_POWERCUT_SAMPLE=$powercut_sample")
	eval "cmd=($cmdline)" # CTest quotes each argument
	if [ "${#cmd[@]}" -eq 0 ]; then
		echo "$name: no command (not built?)" >"$logs/$name.result"
		return
	fi
	if is_build_elf "${cmd[0]}"; then
		dir="$(dirname "${cmd[0]}")"
		cmd=("${vg[@]}" --log-file="$logs/$name.%p.vg" "${cmd[@]}")
	else
		# a script: wrap the build's programs it is given
		local wrapped=0 i w
		dir="$build"
		for i in "${!cmd[@]}"; do
			if [ "${cmd[$i]}" = "$build" ]; then
				# the build directory itself (the script finds bin/<tool>):
				# a shadow of it whose bin/ programs are wrappers
				local sh="$logs/shadow/$name" e
				mkdir -p "$sh/bin"
				for e in "$build"/*; do
					[ "$(basename "$e")" = bin ] || ln -s "$e" "$sh/"
				done
				for e in "$build"/bin/*; do
					if is_build_elf "$e"; then
						printf '#!/bin/sh\nexec %s --log-file=%q %q "$@"\n' "${vg[*]}" \
							"$logs/$name.%p.vg" "$e" >"$sh/bin/$(basename "$e")"
						chmod +x "$sh/bin/$(basename "$e")"
						wrapped=1
					else
						ln -s "$e" "$sh/bin/"
					fi
				done
				cmd[$i]="$sh"
			elif is_build_elf "${cmd[$i]}"; then
				w="$logs/wrap/$name.$(basename "${cmd[$i]}")"
				printf '#!/bin/sh\nexec %s --log-file=%q %q "$@"\n' "${vg[*]}" \
					"$logs/$name.%p.vg" "${cmd[$i]}" >"$w"
				chmod +x "$w"
				cmd[$i]="$w"
				wrapped=1
			fi
		done
		if [ "$wrapped" -eq 0 ]; then
			echo "$name: FAIL (script runs no program of the build: cannot check it)" >"$logs/$name.result"
			return
		fi
	fi
	local t0=$SECONDS rc=0
	(cd "$dir" && env "${env_kv[@]}" "${cmd[@]}") >"$logs/$name.out" 2>&1 || rc=$?
	local errs procs
	procs="$(find "$logs" -maxdepth 1 -name "$name.*.vg" | wc -l)"
	errs="$(cat "$logs/$name".*.vg 2>/dev/null | grep -c '^==[0-9]*== ' || true)"
	if [ "$rc" -eq 0 ] && [ "$errs" -eq 0 ] && [ "$procs" -gt 0 ]; then
		echo "$name: ok ($procs process(es), $((SECONDS - t0)) s)" >"$logs/$name.result"
	else
		echo "$name: FAIL (exit $rc, $errs valgrind report lines, $procs process(es))" >"$logs/$name.result"
	fi
}

echo "== unit tests under valgrind (${#ids[@]} tests, $jobs at a time)"
echo "   the power-cut rigs in their short form: every ${powercut_sample}-th cut point (DFUKIT_POWERCUT_SAMPLE;"
echo "   every cut point in the test step and under ASan)"
running=0
for id in "${ids[@]}"; do
	run_test "$id" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

fail=0
skipped=()
for id in "${ids[@]}"; do
	name="$(sed -n "s/^ *Test *#$id: //p" <<<"$listing")"
	cat "$logs/$name.result"
	if grep -q ': SKIPPED' "$logs/$name.result"; then
		skipped+=("$name")
	elif ! grep -q ': ok (' "$logs/$name.result"; then
		fail=1
		tail -20 "$logs/$name.out" >&2 || true
		cat "$logs/$name".*.vg >&2 2>/dev/null || true
	fi
done
if [ "$fail" -eq 0 ]; then
	echo "valgrind: $((${#ids[@]} - ${#skipped[@]})) of ${#ids[@]} unit tests checked: no errors, no leaks"
	[ "${#skipped[@]}" -eq 0 ] || echo "valgrind: NOT checked here (VG_SKIP): ${skipped[*]}"
fi
exit "$fail"
