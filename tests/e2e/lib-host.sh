# shellcheck shell=bash
# Host-side helpers for the e2e wrappers (with-board.sh, fleet.sh); sourced, bash.
#
# guest_run_relayed RELAY_FN RUN_GUEST_ARGS...
#   Runs tests/e2e/run-guest.sh with RUN_GUEST_ARGS, prints the guest console as it
#   comes and calls RELAY_FN LINE for every line (the scenario's requests to the host,
#   such as DFUKIT-RESET-BOARD). Returns non-zero when the scenario failed in any way:
#   its own exit status, a timeout (124), no exit marker (125), or a relay that failed.
#   run-guest.sh itself turns a DFUKIT-FAIL line into a failure.
#   The wrappers name a failure on stderr ("<wrapper>: the guest scenario failed
#   (status N)"), which the harness self-test (tests/e2e/selftest.sh) looks for.
#
# A relay that fails stops the guest at once (run-guest.sh and what it started,
# QEMU included): the scenario might otherwise wait for a board that never comes
# until its timeout.
#
# How: the guest runs in a process substitution, whose pid $! can be waited
# for (bash >= 4.4) to get its exit status, while the loop reads its output in
# this shell. (A pipeline `run-guest.sh | loop` would hide which process to stop,
# and `cmd | loop || rc=$?` followed by `${PIPESTATUS[0]}` reads the status of
# `rc=$?` instead, always 0.)

lib_host_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The pids of PID's descendants and PID itself, children first.
_lib_host_tree() {
	local c
	for c in $(ps -o pid= --ppid "$1"); do
		_lib_host_tree "$c"
	done
	echo "$1"
}

guest_run_relayed() {
	local relay=$1
	shift
	local fd guest_pid line guest_rc=0 relay_rc=0 pids p
	exec {fd}< <(exec "$lib_host_dir/run-guest.sh" "$@")
	guest_pid=$!
	while IFS= read -r -u "$fd" line; do
		printf '%s\n' "$line"
		if ! "$relay" "$line"; then
			relay_rc=1
			break
		fi
	done
	if ((relay_rc)); then
		pids=$(_lib_host_tree "$guest_pid")
		echo "e2e: a host-side request failed: stopping the guest (pids ${pids//$'\n'/ })" >&2
		for p in $pids; do
			kill -TERM "$p" 2>/dev/null || [ ! -e "/proc/$p" ] ||
				echo "e2e: could not stop pid $p of the guest" >&2
		done
	fi
	exec {fd}<&-
	wait "$guest_pid" || guest_rc=$?
	if [ "$guest_rc" != 0 ] && ((!relay_rc)); then
		echo "e2e: guest scenario failed (run-guest.sh exit status $guest_rc)" >&2
		return "$guest_rc"
	fi
	if ((relay_rc)); then
		echo "e2e: guest scenario failed (the host side of a DFUKIT-RESET-BOARD or DFUKIT-HOST request failed)" >&2
		return 1
	fi
	return 0
}
