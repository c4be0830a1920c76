#!/bin/bash
# cpython_tests_qemu.sh: cpython_tests.sh on the standard path: QEMU TCG microvm.
PLATFORM=qemu exec "$(dirname "$0")/cpython_tests.sh"
