/* mote_abi.h: the versioned contract between motevm and the guests it boots. */
#ifndef MOTE_ABI_MOTE_ABI_H
#define MOTE_ABI_MOTE_ABI_H

/*
 * Both sides include this header: motevm (host C) and the Mote kernel and test guests
 * (freestanding C and assembly). It therefore holds only constants, and nothing but
 * #define lines outside the C-only block at the end.
 *
 * Compatibility rule: a guest checks MOTE_CPUID_INFO.eax (the host's ABI version) and uses
 * only features whose bit is set in MOTE_CPUID_INFO.ebx. New features get new bits; a change
 * that breaks an existing meaning bumps MOTE_ABI_VERSION.
 */
#define MOTE_ABI_VERSION 1

/*
 * Discovery: motevm adds two CPUID leaves in the hypervisor range.
 *   MOTE_CPUID_SIGNATURE: eax = highest Mote leaf, ebx:ecx:edx = "MoteVMM\0\0\0\0\0".
 *   MOTE_CPUID_INFO:      eax = MOTE_ABI_VERSION of the host, ebx = MOTE_FEAT_* bits,
 *                         ecx = number of vCPUs, edx = 0 (reserved).
 * A guest that does not find the signature is not on motevm (QEMU, Firecracker, ...).
 */
#define MOTE_CPUID_SIGNATURE 0x40000f00u
#define MOTE_CPUID_INFO 0x40000f01u
#define MOTE_CPUID_CONSOLE 0x40000f02u /* MOTE_FEAT_CONSOLE_TTYS, below */
#define MOTE_CPUID_SIG_EBX 0x65746f4du /* "Mote" */
#define MOTE_CPUID_SIG_ECX 0x004d4d56u /* "VMM\0" */
#define MOTE_CPUID_SIG_EDX 0x00000000u

/* Feature bits in MOTE_CPUID_INFO.ebx. */
#define MOTE_FEAT_PVM (1u << 0)	 /* host KVM is kvm_pvm: use the PV interface (kvm-pvm-host.md) */
#define MOTE_FEAT_EXIT (1u << 1) /* the exit device below is present */
#define MOTE_FEAT_CONSOLE (1u << 2)	 /* the console port below is present */
#define MOTE_FEAT_CONSOLE_EOF (1u << 3)	 /* COM1's DCD drops when the VMM's input ends */
#define MOTE_FEAT_CONSOLE_READ (1u << 4) /* the console port reads COM1's input in bulk */
#define MOTE_FEAT_CONSOLE_TTYS (1u << 5) /* leaf MOTE_CPUID_CONSOLE says what is a terminal */

/*
 * MOTE_CPUID_CONSOLE: eax = MOTE_TTY_* bits, which of the VMM's stdin, stdout and stderr are
 * terminals (a program's isatty() should agree: `ls`, `sqlite3`, `python3` behave differently
 * on a pipe); ebx = the terminal's rows, ecx = its columns (0: unknown); edx = 0.
 */
#define MOTE_TTY_STDIN (1u << 0)
#define MOTE_TTY_STDOUT (1u << 1)
#define MOTE_TTY_STDERR (1u << 2)

/*
 * Exit device: a 32-bit (or 8-bit) OUT of a status to this port ends the VM at once;
 * motevm then exits with (status & 0xff) as its own exit code.
 */
#define MOTE_EXIT_PORT 0x6d70u

/*
 * Console port: guest output in one VM exit per buffer instead of one per byte (each port
 * access is a ~10-30 us trap on kvm_pvm hosts), and a program's stderr kept apart from its
 * stdout. A 32-bit OUT of the guest-physical address (below 4 GiB, 8-byte aligned) of a request
 *     u64 buf     guest-physical address of the bytes (contiguous)
 *     u32 len     how many, at most MOTE_CONSOLE_MAX
 *     u32 done    set by the VMM: how many it took (len, or fewer if its output failed)
 *     u32 stream  MOTE_CONSOLE_STDOUT: where COM1's output goes (motevm's stdout), in order
 *                 with COM1's own bytes; MOTE_CONSOLE_STDERR: motevm's stderr;
 *                 MOTE_CONSOLE_READ (MOTE_FEAT_CONSOLE_READ): the other way — up to len bytes
 *                 of COM1's received input (what RBR would give, in the same order) are moved
 *                 into buf at once; done = how many (0: nothing received now). COM1's
 *                 data-ready state and receive interrupt follow as if they had been read
 *                 from RBR.
 *     u32 reserved, 0
 * sends (or takes) the bytes. A bad request (not RAM, too long, unknown stream) sets done to 0
 * and changes nothing else.
 */
#define MOTE_CONSOLE_PORT 0x6d74u
#define MOTE_CONSOLE_MAX 65536u
#define MOTE_CONSOLE_REQ_BUF 0
#define MOTE_CONSOLE_REQ_LEN 8
#define MOTE_CONSOLE_REQ_DONE 12
#define MOTE_CONSOLE_REQ_STREAM 16
#define MOTE_CONSOLE_REQ_SIZE 24
#define MOTE_CONSOLE_STDOUT 1u
#define MOTE_CONSOLE_STDERR 2u
#define MOTE_CONSOLE_READ 3u

/*
 * End of input (MOTE_FEAT_CONSOLE_EOF): a guest that writes MOTE_CONSOLE_CTL_EOF to the 8-bit
 * port MOTE_CONSOLE_CTL_PORT opts in; from then on, when the VMM's input (its stdin) reaches
 * end of file and the guest has read every byte, COM1's DCD (MSR bit 7) goes low, with a
 * modem-status interrupt if the guest enabled it (IER bit 3) — a serial line's carrier loss,
 * which the guest treats as end of file on its console. Without the opt-in DCD stays high
 * (a Linux guest's getty would otherwise wait for carrier).
 */
#define MOTE_CONSOLE_CTL_PORT 0x6d78u
#define MOTE_CONSOLE_CTL_EOF 1u

/*
 * QEMU's isa-debug-exit, as QEMU is started by our tests (iobase=0xf4, iosize=4): an OUT of
 * value v ends the VM and the VMM exits with (v << 1) | 1. motevm implements the same
 * semantics so that one test guest runs on both.
 */
#define MOTE_DEBUG_EXIT_PORT 0xf4u

/*
 * QEMU's isa-debugcon as `mote run --qemu` adds it (iobase=0x402, to a file): isa-debug-exit's
 * exit code keeps 7 bits of the status only, so a guest without motevm's exit device first
 * writes the whole status here in decimal ("139"), which mote reads back.
 */
#define MOTE_QEMU_STATUS_PORT 0x402u

/*
 * Firecracker's boot-timer device: a byte write of MOTE_BOOT_TIMER_MAGIC to this guest-physical
 * address makes motevm log "Guest-boot-time = N us" (time since motevm started).
 */
#define MOTE_BOOT_TIMER_ADDR 0xc0000000u
#define MOTE_BOOT_TIMER_MAGIC 123u

/*
 * Exit statuses motevm uses for itself. A guest may exit with any status 0..255, so these
 * only tell apart motevm's own endings (see docs/motevm.md). They follow Firecracker's
 * numbering where it has one.
 */
#define MOTE_STATUS_OK 0
#define MOTE_STATUS_ERROR 1	      /* motevm failed (host set-up, I/O) */
#define MOTE_STATUS_BAD_SYSCALL 148   /* a motevm thread made a call outside its seccomp filter */
#define MOTE_STATUS_BAD_CONFIG 152    /* invalid --config-file or image */
#define MOTE_STATUS_BAD_ARGS 153      /* invalid command line */
#define MOTE_STATUS_GUEST_RESET 0     /* guest reset through the i8042: a clean stop */
#define MOTE_STATUS_GUEST_CRASH 160   /* triple fault / KVM_EXIT_SHUTDOWN */
#define MOTE_STATUS_GUEST_BAD_IO 161  /* guest MMIO to an address with nothing behind it */
#define MOTE_STATUS_GUEST_UNKNOWN 162 /* a KVM exit motevm cannot handle (emulation failure...) */
/* Stopped by SIGTERM/SIGINT: motevm stops the vCPUs cleanly and exits with 128 + signal number. */

#endif /* MOTE_ABI_MOTE_ABI_H */
