#!/bin/bash
# mote_runtimes_qemu.sh: mote_runtimes.sh on the standard path: QEMU TCG microvm.
PLATFORM=qemu exec "$(dirname "$0")/mote_runtimes.sh"
