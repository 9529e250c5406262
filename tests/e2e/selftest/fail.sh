#!/bin/sh
# Harness self-test: a scenario that fails on purpose through lib-guest.sh's fail.
. /lib-guest.sh
step selftest-fail
fail selftest-fail "failing on purpose"
