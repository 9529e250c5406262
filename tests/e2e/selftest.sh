#!/usr/bin/env bash
# Self-test of the e2e harness: scenarios that fail on purpose, print a failure
# but exit 0, hang past their timeout or lose their exit marker, run through the
# same wrappers as the real tests (run-guest.sh, with-board.sh, fleet.sh). Each
# wrapper must exit non-zero, with the status and message that name the cause;
# a passing scenario (the control) must exit 0. If a wrapper ever swallows a
# guest's failure again, this test fails.
#
#   tests/e2e/selftest.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
(($# == 1)) || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
s="$here/selftest"
work=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-selftest.XXXXXX")
trap 'rm -rf "$work"' EXIT
short=25 # seconds: the guest boots in a few, the hang scenario never ends
failures=0
cases=0

# expect NAME WANT_STATUS WANT_MESSAGE CMD...: run CMD, require its exit status to
# be WANT_STATUS ("nonzero" for any failure) and its output to contain WANT_MESSAGE.
expect() {
	local name=$1 want=$2 msg=$3 rc=0
	shift 3
	cases=$((cases + 1))
	"$@" >"$work/$name.log" 2>&1 || rc=$?
	local ok=1
	case $want in
	nonzero) [ "$rc" != 0 ] || ok=0 ;;
	*) [ "$rc" = "$want" ] || ok=0 ;;
	esac
	if [ -n "$msg" ] && ! grep -qF -- "$msg" "$work/$name.log"; then ok=0; fi
	if ((ok)); then
		echo "selftest: $name: exit $rc as expected${msg:+, \"$msg\"}"
	else
		echo "selftest: FAIL $name: exit $rc (wanted $want${msg:+ and \"$msg\"}); its output:" >&2
		sed 's/^/  | /' "$work/$name.log" >&2
		failures=$((failures + 1))
	fi
}

rg="$here/run-guest.sh"
expect run-guest.pass 0 "scenario pass.sh exited 0" "$rg" --timeout 120 "$s/pass.sh"
expect run-guest.fail 1 "scenario fail.sh exited 1" "$rg" --timeout 120 "$s/fail.sh"
expect run-guest.fail-line 1 "printed 1 DFUKIT-FAIL line" "$rg" --timeout 120 "$s/fail-line.sh"
expect run-guest.hang 124 "TIMEOUT" "$rg" --timeout "$short" "$s/hang.sh"
expect run-guest.no-marker 125 "without a DFUKIT-SCENARIO-EXIT marker" "$rg" --timeout 120 "$s/no-marker.sh"

wb="$here/with-board.sh"
live=(--expect-log "USB DFU sample is initialized")
expect with-board.pass 0 "" "$wb" "${live[@]}" "$build" --timeout 120 "$s/pass.sh"
expect with-board.fail nonzero "with-board: the guest scenario failed (status 1)" \
	"$wb" "${live[@]}" "$build" --timeout 120 "$s/fail.sh"
expect with-board.fail-line nonzero "with-board: the guest scenario failed (status 1)" \
	"$wb" "${live[@]}" "$build" --timeout 120 "$s/fail-line.sh"
expect with-board.hang nonzero "with-board: the guest scenario failed (status 124)" \
	"$wb" "${live[@]}" "$build" --timeout "$short" "$s/hang.sh"

expect fleet.fail nonzero "fleet: the guest scenario failed (status 1)" \
	env DFUKIT_FLEET_SCENARIO="$s/fail.sh" "$here/fleet.sh" "$build" 1
expect fleet.hang nonzero "fleet: the guest scenario failed (status 124)" \
	env DFUKIT_FLEET_SCENARIO="$s/hang.sh" DFUKIT_FLEET_TIMEOUT="$short" "$here/fleet.sh" "$build" 1

echo "selftest: $((cases - failures)) of $cases harness cases behaved as required"
((failures == 0))
