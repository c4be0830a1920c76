#!/bin/sh
# kernel_selftest_microvm_2.sh: the kernel's self-tests on microvm with 2 vCPUs.
exec "$(dirname "$0")/kernel_selftest.sh" microvm 2
