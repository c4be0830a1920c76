#!/bin/sh
# kernel_selftest_motevm_1.sh: the kernel's self-tests on motevm with 1 vCPU.
exec "$(dirname "$0")/kernel_selftest.sh" motevm 1
