#!/bin/bash
# debian_programs_qemu.sh: debian_programs.sh on the standard path: QEMU TCG microvm.
PLATFORM=qemu exec "$(dirname "$0")/debian_programs.sh"
