# kernel.mk: the Mote kernel, build/kernel/mote.elf (freestanding C + assembly, no libc).
# Linked twice: the second link embeds the symbol table of the first (kernel/tools/ksyms.sh),
# which panic.c uses for symbolised backtraces.
KERNEL_ELF := $(BUILD)/kernel/mote.elf
KERNEL_SRCS := \
	kernel/arch/x86_64/entry.S \
	kernel/arch/x86_64/trampoline.S \
	kernel/arch/x86_64/isr.S \
	kernel/arch/x86_64/switch.S \
	kernel/arch/x86_64/syscall.S \
	kernel/arch/x86_64/uaccess.S \
	kernel/arch/x86_64/appcpu.c \
	kernel/arch/x86_64/irq.c \
	kernel/arch/x86_64/xstate.c \
	kernel/arch/x86_64/acpi.c \
	kernel/arch/x86_64/apic.c \
	kernel/arch/x86_64/boot.c \
	kernel/arch/x86_64/gdt.c \
	kernel/arch/x86_64/idt.c \
	kernel/arch/x86_64/mptable.c \
	kernel/arch/x86_64/percpu.c \
	kernel/arch/x86_64/pvm.c \
	kernel/arch/x86_64/smp.c \
	kernel/arch/x86_64/traps.c \
	kernel/core/main.c \
	kernel/core/cmdline.c \
	kernel/core/panic.c \
	kernel/core/ready.c \
	kernel/core/selftest.c \
	kernel/core/stats.c \
	kernel/core/time.c \
	kernel/core/mm/page.c \
	kernel/core/mm/vm.c \
	kernel/core/mm/heap.c \
	kernel/core/mm/pageref.c \
	kernel/core/sched/thread.c \
	kernel/core/sched/sched.c \
	kernel/core/sched/timer.c \
	kernel/core/sched/wait.c \
	kernel/core/sched/sync.c \
	kernel/core/sched/futex.c \
	kernel/drivers/uart.c \
	kernel/drivers/i8042.c \
	kernel/drivers/kvmclock.c \
	kernel/drivers/rtc.c \
	kernel/drivers/virtio/mmio.c \
	kernel/drivers/virtio/virtqueue.c \
	kernel/drivers/virtio/rng.c \
	kernel/drivers/virtio/console.c \
	kernel/drivers/virtio/net.c \
	kernel/drivers/virtio/blk.c \
	kernel/drivers/virtio/blk_req.c \
	kernel/net/addr.c \
	kernel/net/ifinfo.c \
	kernel/net/netif.c \
	kernel/net/procnet.c \
	kernel/net/lwip_port.c \
	kernel/net/socket.c \
	kernel/net/udp.c \
	kernel/lib/string.c \
	kernel/lib/printf.c \
	kernel/lib/random.c \
	kernel/lib/crc32.c \
	kernel/lib/crc32c.c \
	kernel/lib/inflate.c \
	kernel/lib/gzip.c \
	kernel/fs/vfs.c \
	kernel/fs/path.c \
	kernel/fs/file.c \
	kernel/fs/notify.c \
	kernel/fs/fsctx.c \
	kernel/fs/open.c \
	kernel/fs/ramfs.c \
	kernel/fs/pageidx.c \
	kernel/fs/xattr.c \
	kernel/fs/cpio.c \
	kernel/fs/initrd.c \
	kernel/fs/initrd_gzip.c \
	kernel/fs/mounts.c \
	kernel/fs/mount.c \
	kernel/fs/bcache.c \
	kernel/fs/ext4/super.c \
	kernel/fs/ext4/journal.c \
	kernel/fs/ext4/jbd2.c \
	kernel/fs/ext4/replay.c \
	kernel/fs/ext4/alloc.c \
	kernel/fs/ext4/inode.c \
	kernel/fs/ext4/xattr.c \
	kernel/fs/ext4/extent.c \
	kernel/fs/ext4/hash.c \
	kernel/fs/ext4/dx.c \
	kernel/fs/ext4/htree.c \
	kernel/fs/ext4/dir.c \
	kernel/fs/ext4/ext4.c \
	kernel/fs/ext4/file.c \
	kernel/fs/ext4/namei.c \
	kernel/fs/ext4/orphan.c \
	kernel/fs/chrdev.c \
	kernel/fs/pipe.c \
	kernel/fs/scm.c \
	kernel/fs/sockpair.c \
	kernel/fs/unixsock.c \
	kernel/fs/unixname.c \
	kernel/fs/unixdgram.c \
	kernel/fs/lock.c \
	kernel/fs/tty.c \
	kernel/fs/console_term.c \
	kernel/fs/tty_hooks.c \
	kernel/fs/ldisc.c \
	kernel/fs/ldisc_ioctl.c \
	kernel/fs/pty.c \
	kernel/fs/devpts.c \
	kernel/fs/devfs.c \
	kernel/fs/eventfd.c \
	kernel/fs/epoll.c \
	kernel/fs/procfs.c \
	kernel/fs/procfs_cpuinfo.c \
	kernel/fs/sysfs.c \
	kernel/linux/syscall.c \
	kernel/linux/syscall_patch.c \
	kernel/core/uaccess.c \
	kernel/linux/task.c \
	kernel/linux/process.c \
	kernel/linux/sys_process.c \
	kernel/linux/task_fs.c \
	kernel/linux/run.c \
	kernel/linux/procfs_root.c \
	kernel/linux/procfs_pid.c \
	kernel/linux/procfs_status.c \
	kernel/linux/procfs_sys.c \
	kernel/linux/exec.c \
	kernel/linux/mm.c \
	kernel/linux/mm_patch.c \
	kernel/linux/mm_pte.c \
	kernel/linux/vma.c \
	kernel/linux/fault.c \
	kernel/linux/signal.c \
	kernel/linux/signal_deliver.c \
	kernel/linux/signal_stop.c \
	kernel/linux/tty_proc.c \
	kernel/linux/signal_frame.c \
	kernel/linux/timers.c \
	kernel/linux/vdso.c \
	kernel/linux/vdso/vdso_image.S \
	kernel/linux/sys_file.c \
	kernel/linux/sys_splice.c \
	kernel/linux/sys_fcntl.c \
	kernel/linux/fown.c \
	kernel/linux/dnotify.c \
	kernel/linux/sys_stat.c \
	kernel/linux/sys_xattr.c \
	kernel/linux/sys_dir.c \
	kernel/linux/sys_mount.c \
	kernel/linux/sys_mm.c \
	kernel/linux/sys_proc.c \
	kernel/linux/sys_thread.c \
	kernel/linux/sys_sched.c \
	kernel/linux/groups.c \
	kernel/linux/pidfd.c \
	kernel/linux/signalfd.c \
	kernel/linux/sys_futex.c \
	kernel/linux/futex_key.c \
	kernel/linux/sys_time.c \
	kernel/linux/sys_signal.c \
	kernel/linux/sys_timer.c \
	kernel/linux/sys_poll.c \
	kernel/linux/sys_epoll.c \
	kernel/linux/sockaddr.c \
	kernel/linux/sys_socket.c \
	kernel/linux/sys_sockmsg.c kernel/linux/sockmsg_io.c \
	kernel/linux/sockopts.c \
	kernel/linux/nlsock.c kernel/linux/nlmsg.c kernel/linux/rtnl.c kernel/linux/rtnl_addr.c \
	kernel/linux/rtnl_route.c \
	kernel/linux/ifioctl.c \
	kernel/linux/sys_sockopt.c \
	kernel/linux/sys_unix.c \
	kernel/linux/sys_unixmsg.c \
	kernel/test/test_mm.c \
	kernel/test/test_sched.c \
	kernel/test/test_sync.c \
	kernel/test/test_time.c \
	kernel/test/test_bench.c \
	kernel/test/test_fs.c \
	kernel/test/test_fpu.c \
	kernel/test/test_virtio.c \
	kernel/test/test_blk.c \
	kernel/test/test_ext4.c \
	kernel/test/test_net.c

KERNEL_OBJS := $(patsubst %,$(BUILD)/%.o,$(basename $(KERNEL_SRCS)))
KERNEL_LDS := kernel/arch/x86_64/kernel.ld
KERNEL_CFLAGS := $(GUEST_CFLAGS) -Ikernel -mcmodel=kernel -fno-jump-tables
# lwIP (TCP/IP), built from Debian's source package, links in with the kernel's objects
include mk/lwip.mk
KERNEL_OBJS += $(LWIP_OBJS)
KERNEL_LDFLAGS := $(GUEST_LDFLAGS) -T $(KERNEL_LDS)
ALL_TARGETS += $(KERNEL_ELF)

$(BUILD)/kernel/%.o: kernel/%.c | $(DEPS_STAMP)
	$(call quiet,CC,$<)mkdir -p $(@D) && $(GUEST_CC) $(KERNEL_CFLAGS) -c -o $@ $<

$(BUILD)/kernel/%.o: kernel/%.S | $(DEPS_STAMP)
	$(call quiet,AS,$<)mkdir -p $(@D) && $(GUEST_CC) $(GUEST_ASFLAGS) -Ikernel -c -o $@ $<

$(BUILD)/kernel/ksyms0.S: kernel/tools/ksyms.sh
	$(Q)mkdir -p $(@D) && kernel/tools/ksyms.sh > $@

$(BUILD)/kernel/mote.pass1.elf: $(KERNEL_OBJS) $(BUILD)/kernel/ksyms0.o $(KERNEL_LDS)
	$(call quiet,LD,$@)$(GUEST_CC) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/kernel/ksyms0.o

$(BUILD)/kernel/ksyms.S: $(BUILD)/kernel/mote.pass1.elf kernel/tools/ksyms.sh
	$(call quiet,KSYMS,$@)kernel/tools/ksyms.sh $< > $@

$(BUILD)/kernel/%.o: $(BUILD)/kernel/%.S
	$(call quiet,AS,$<)$(GUEST_CC) $(GUEST_ASFLAGS) -c -o $@ $<

$(KERNEL_ELF): $(KERNEL_OBJS) $(BUILD)/kernel/ksyms.o $(KERNEL_LDS)
	$(call quiet,LD,$@)$(GUEST_CC) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/kernel/ksyms.o
	$(Q)nm -n $@ | grep -q ' T kmain$$' || { echo "kernel: link check failed" >&2; exit 1; }

# The vDSO: a tiny shared object of its own, built for the application side (PIC, no SSE),
# then embedded in the kernel image by vdso_image.S.
VDSO_SO := $(BUILD)/kernel/linux/vdso/vdso.so
VDSO_CFLAGS := -std=gnu11 -O2 -g0 $(WARNINGS) -fPIC -fno-stack-protector -fno-builtin \
	-fno-asynchronous-unwind-tables -mgeneral-regs-only -nostdlib -shared \
	-Wl,-T,kernel/linux/vdso/vdso.lds -Wl,--hash-style=both -Wl,-soname=linux-vdso.so.1 \
	-Wl,--build-id=none -Wl,-Bsymbolic -Wl,-z,noexecstack

$(VDSO_SO): kernel/linux/vdso/vdso.c kernel/linux/vdso/vdso_data.h kernel/linux/vdso/vdso.lds \
		| $(DEPS_STAMP)
	$(call quiet,VDSO,$@)mkdir -p $(@D) && $(GUEST_CC) $(VDSO_CFLAGS) -o $@ $< && \
		! readelf -r $@ | grep -q R_X86_64 || { echo "vdso: relocations in $@" >&2; exit 1; }

$(BUILD)/kernel/linux/vdso/vdso_image.o: kernel/linux/vdso/vdso_image.S $(VDSO_SO)
	$(call quiet,AS,$<)mkdir -p $(@D) && $(GUEST_CC) $(GUEST_ASFLAGS) \
		-DVDSO_SO='"$(VDSO_SO)"' -c -o $@ $<

kernel: $(KERNEL_ELF)
.PHONY: kernel

BENCHES += bench/kernel_boot.sh bench/kernel_sched.sh bench/kernel_mem.sh \
	bench/linux_start.sh bench/linux_syscall.sh

# The Linux-ABI benchmarks' program: the same static binary natively and inside Mote.
$(BUILD)/bench/linux_syscall: bench/linux_syscall.c | $(DEPS_STAMP)
	$(call quiet,CC,$@)mkdir -p $(@D) && $(HOST_CC) -std=gnu11 -O2 $(WARNINGS) -D_GNU_SOURCE \
		-static -o $@ $<

bench: $(BUILD)/bench/linux_syscall

# bench/kernel_counts.sh's program: one kind of operation N times, natively and inside Mote.
$(BUILD)/bench/ops: bench/ops.c | $(DEPS_STAMP)
	$(call quiet,CC,$@)mkdir -p $(@D) && $(HOST_CC) -std=gnu11 -O2 $(WARNINGS) -D_GNU_SOURCE \
		-static -o $@ $<

bench: $(BUILD)/bench/ops
BENCHES += bench/kernel_counts.sh
# ext4's journal: many rounds of tests/e2e/ext4_crash.sh, the commit rate under QEMU TCG
BENCHES += bench/ext4_journal.sh
