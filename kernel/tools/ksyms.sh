#!/bin/sh
# ksyms.sh: write the assembly of the kernel's symbol table (function addresses and names,
# sorted) from a linked kernel, for the backtraces of panic.c. With no ELF argument, an
# empty table (the first link).   usage: ksyms.sh [kernel.elf] > ksyms.S
set -eu
echo '	.section .ksyms, "a"'
echo '	.p2align 3'
echo '	.globl ksyms_count, ksyms_table, ksyms_names'
if [ $# -eq 0 ]; then
	echo 'ksyms_count: .quad 0'
	echo 'ksyms_table:'
	echo 'ksyms_names: .byte 0'
	exit 0
fi
nm -n --defined-only "$1" | awk '
BEGIN { n = 0 }
NF == 3 && $2 ~ /^[tTwW]$/ && $3 !~ /^\./ { addr[n] = $1; name[n] = $3; n++ }
END {
	printf "ksyms_count: .quad %d\n", n
	printf "ksyms_table:\n"
	off = 0
	for (i = 0; i < n; i++) {
		printf "\t.quad 0x%s\n\t.long %d, 0\n", addr[i], off
		off += length(name[i]) + 1
	}
	printf "ksyms_names:\n"
	for (i = 0; i < n; i++)
		printf "\t.asciz \"%s\"\n", name[i]
}'
