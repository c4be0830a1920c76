/* syscall_patch.h: system calls without a trap. On hosts where the syscall instruction traps
 * to the hypervisor (kvm_pvm: a VM exit of 1-24 us), a site that traps twice is rewritten so
 * that it reaches the kernel by jumps: "mov $nr, %eax; syscall" (or glibc syscall()'s
 * "mov 0x8(%rsp), %r9; syscall") becomes "jmp stub; syscall"; the stub runs that instruction,
 * sets %rcx as the syscall instruction would and jumps to syscall_fast (syscall.S). Nothing is pushed on the application's stack (its red zone stays intact), the
 * syscall instruction itself stays in place (a jump to it, or a restarted call, still works
 * by the trap), and only private read-only file mappings are rewritten (not JIT code). */
#ifndef MOTE_LINUX_SYSCALL_PATCH_H
#define MOTE_LINUX_SYSCALL_PATCH_H

#include "lib/types.h"

struct trapframe;

/* Rewriting on (--fast-syscalls=on, or auto on kvm_pvm hosts)? Decided by syscall_patch_init. */
extern bool syscall_patch_on;

/* Decide from the command line and the host whether sites are rewritten. */
void syscall_patch_init(void);

/* tf is a system call that came by the syscall instruction, before its handler runs:
 * rewrite its site if it has one of the shapes above and lies in program code. */
void syscall_patch_site(const struct trapframe *tf);

#endif /* MOTE_LINUX_SYSCALL_PATCH_H */
