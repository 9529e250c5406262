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
# Why a function: the status of the guest is the first element of a pipeline, and
# `cmd | loop || rc=$?` followed by `${PIPESTATUS[0]}` reads the status of `rc=$?`
# instead (always 0). PIPESTATUS is copied right after the pipeline, with errexit off.

lib_host_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

guest_run_relayed() {
	local relay=$1
	shift
	local statuses guest_rc relay_rc
	set +e
	"$lib_host_dir/run-guest.sh" "$@" | while IFS= read -r line; do
		printf '%s\n' "$line"
		"$relay" "$line" || exit 1
	done
	statuses=("${PIPESTATUS[@]}")
	set -e
	guest_rc=${statuses[0]}
	relay_rc=${statuses[1]}
	if [ "$guest_rc" != 0 ]; then
		echo "e2e: guest scenario failed (run-guest.sh exit status $guest_rc)" >&2
		return "$guest_rc"
	fi
	if [ "$relay_rc" != 0 ]; then
		echo "e2e: guest scenario failed (the host side of a DFUKIT-RESET-BOARD request failed)" >&2
		return 1
	fi
	return 0
}
