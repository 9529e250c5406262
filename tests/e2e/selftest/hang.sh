#!/bin/sh
# Harness self-test: a scenario that never ends; the wrapper's timeout must end it.
echo "DFUKIT-NOTE: selftest-hang: sleeping forever"
while :; do sleep 60; done
