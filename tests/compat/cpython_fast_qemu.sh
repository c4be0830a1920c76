#!/bin/bash
# cpython_fast_qemu.sh: cpython_fast.sh on the standard path: QEMU TCG microvm.
PLATFORM=qemu COMPAT_SET=fast exec "$(dirname "$0")/cpython.sh"
