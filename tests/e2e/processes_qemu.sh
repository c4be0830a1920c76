#!/bin/bash
# processes_qemu.sh: processes.sh on the standard path: QEMU TCG microvm.
PLATFORM=qemu exec "$(dirname "$0")/processes.sh"
