#!/bin/sh
# kernel_selftest_q35_1.sh: the kernel's self-tests on q35 with 1 vCPU.
exec "$(dirname "$0")/kernel_selftest.sh" q35 1
