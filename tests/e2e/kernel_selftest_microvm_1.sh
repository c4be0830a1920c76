#!/bin/sh
# kernel_selftest_microvm_1.sh: the kernel's self-tests on microvm with 1 vCPU.
exec "$(dirname "$0")/kernel_selftest.sh" microvm 1
