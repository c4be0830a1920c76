#!/bin/sh
# kernel_selftest_motevm_2.sh: the kernel's self-tests on motevm with 2 vCPUs.
exec "$(dirname "$0")/kernel_selftest.sh" motevm 2
