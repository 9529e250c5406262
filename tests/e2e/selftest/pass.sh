#!/bin/sh
# Harness self-test: a scenario that passes (the control case).
. /lib-guest.sh
step selftest-pass
pass selftest-pass
