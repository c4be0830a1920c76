#!/bin/sh
# kernel_selftest_q35_2.sh: the kernel's self-tests on q35 with 2 vCPUs.
exec "$(dirname "$0")/kernel_selftest.sh" q35 2
