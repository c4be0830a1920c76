#!/bin/bash
# cpython_fast.sh: `make test`'s part of CPython's regression suite: tests/compat/cpython.sh's fast
# set (the modules that start children, issue 14, and a few quick ones) on motevm; every case
# that passes natively passes in Mote. 3-4 minutes under QEMU TCG (cpython_fast_qemu.sh).
COMPAT_SET=fast exec "$(dirname "$0")/cpython.sh"
