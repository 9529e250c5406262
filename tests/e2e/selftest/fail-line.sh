#!/bin/sh
# Harness self-test: a check prints its failure but the scenario still exits 0.
echo "DFUKIT-FAIL: selftest-fail-line: printed, then exit 0"
exit 0
