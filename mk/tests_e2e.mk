# tests_e2e.mk: whole-system tests of the kernel (tests/e2e/kernel_*.sh): self-tests under
# motevm (PV path) and QEMU TCG microvm/q35 (standard path) with 1 and 2 vCPUs, the Linux
# 64-bit entry, the initrd (also gzip-compressed: initrd_gzip.sh), command-line errors, crash
# reports, 4 MiB boot, console input;
# real Debian programs under `mote run` on motevm and QEMU TCG (debian_programs*.sh); a signal
# interrupting a blocked console read (console_signals.sh); job control on the console: ^C and ^Z
# to the foreground group (console_jobs.sh); the console as a real terminal at a host pty
# (console_term.sh).
TESTS += \
	tests/e2e/kernel_selftest_motevm_1.sh \
	tests/e2e/kernel_selftest_motevm_2.sh \
	tests/e2e/kernel_selftest_microvm_1.sh \
	tests/e2e/kernel_selftest_microvm_2.sh \
	tests/e2e/kernel_selftest_q35_1.sh \
	tests/e2e/kernel_selftest_q35_2.sh \
	tests/e2e/kernel_linux64.sh \
	tests/e2e/kernel_initrd.sh \
	tests/e2e/initrd_gzip.sh \
	tests/e2e/kernel_bigmem.sh \
	tests/e2e/kernel_cmdline.sh \
	tests/e2e/kernel_crash.sh \
	tests/e2e/kernel_small.sh \
	tests/e2e/debian_programs.sh \
	tests/e2e/debian_programs_qemu.sh \
	tests/e2e/polling.sh \
	tests/e2e/console_signals.sh \
	tests/e2e/console_jobs.sh \
	tests/e2e/console_term.sh
TESTS_BUILD += $(KERNEL_ELF)
# /proc and /sys read by real programs under mote run (motevm and QEMU TCG)
TESTS += tests/e2e/procfs.sh
# the self-tests on another host's CPU: motevm's test-only --cpuid/--cpu-hide (issue 10)
TESTS += tests/e2e/cpuid_edit.sh
# the self-tests on QEMU TCG's CPU models qemu64, SandyBridge and max (issue 10)
TESTS += tests/e2e/kernel_cpu_models.sh
# system-call sites rewritten into jumps (--fast-syscalls), hazards of tests/apps/syscall_sites
TESTS += tests/e2e/fast_syscalls.sh
# the virtio-mmio transport and virtio-rng driver against QEMU's virtio-rng-device
TESTS += tests/e2e/virtio_rng.sh
# the virtio console driver against QEMU's virtio-serial: order, 10 MiB whole, faster than the
# UART; stdin through a port of its own (mote run --qemu): 10 MiB through cat, EOF, stderr apart
TESTS += tests/e2e/virtio_console.sh
# the virtio-net driver against QEMU's virtio-net-device (user networking, restricted): DHCP
TESTS += tests/e2e/virtio_net.sh
# the virtio-blk driver against QEMU's virtio-blk-device: patterns checked on the host's image
TESTS += tests/e2e/virtio_blk.sh
# read-only ext4 on a virtio-blk drive (--mount): mkfs.ext4 -d images walked by Python in Mote and
# on the host, compared; statfs, EROFS, /proc/mounts, refused mounts; e2fsck -fn after
TESTS += tests/e2e/ext4_read.sh
# hashed (htree) ext4 directories: every name of e2fsck -D-indexed directories looked up in Mote
# through the index (half_md4, tea, legacy; unsigned; 1 KiB blocks: 2 levels), blocks per lookup
# against a linear scan, a corrupt index node read linearly
TESTS += tests/e2e/ext4_htree.sh
# read-write ext4 (--mount): a tree of changes made by Python in Mote and on the host, e2fsck -fn
# clean and the image's tree (debugfs) equal to the host's; ENOSPC; read-only drives and :ro
TESTS += tests/e2e/ext4_write.sh
# extended attributes on ext4: a tree from setfattr and mkfs.ext4 -d listed in Mote as getfattr
# lists it; changes in the inode and the block (a shared one copied, emptied ones freed) read back
# by debugfs, e2fsck -fn clean; EROFS read-only
TESTS += tests/e2e/ext4_xattr.sh
# ext4's jbd2 journal replayed at mount: debugfs-made transactions (revokes, escapes, torn commits,
# 1 KiB blocks, csum v2/v3 and none, a wrapped log) read in Mote as e2fsck's replay reads them
TESTS += tests/e2e/ext4_journal.sh
# ext4's journal commits (the ext4_commit/ext4_uncommit self-tests on scratch drives): e2fsck -fn
# clean, the journal's sequence advanced, the last commit replayed by e2fsck and by Mote alike
TESTS += tests/e2e/ext4_commit.sh
# commits in a loop (self-test ext4_crash), QEMU killed at a random moment, 10 rounds: Mote's
# replay keeps every printed commit, e2fsck -fn clean (bench/ext4_journal.sh runs more)
TESTS += tests/e2e/ext4_crash.sh
# the journal under the write path: Python's writes (e2fsck -fn clean, the journal's sequence
# advanced), then write+fsync in a loop with QEMU killed at random, 10 rounds: every fsync kept
TESTS += tests/e2e/ext4_fsync.sh
# root=/dev/vda: an ext4 disk as the root file system, no initrd (QEMU microvm)
TESTS += tests/e2e/ext4_root.sh
# mount(2) and umount2(2): ext4 from /dev/vdX rw and ro, EBUSY while in use, remounts, tmpfs,
# proc, sysfs, every errno; /proc/mounts at each step; e2fsck -fn clean after an unmount alone
$(BUILD)/tests/e2e/mount_syscalls: tests/e2e/mount/mount_syscalls.c | $(DEPS_STAMP)
	$(call quiet,CC,$@)mkdir -p $(@D) && $(HOST_CC) -std=gnu11 -O2 $(WARNINGS) -D_GNU_SOURCE -static -o $@ $<
TESTS += tests/e2e/mount_syscalls.sh
TESTS_BUILD += $(BUILD)/tests/e2e/mount_syscalls
# sqlite3 and redis (appendfsync always) keep acknowledged writes across a SIGKILLed VM
TESTS += tests/e2e/ext4_crash_apps.sh
# mote run -v: ext4 images from mkfs.ext4 -d as volumes, :ro and read-write (QEMU; motevm where KVM is)
TESTS += tests/e2e/mote_volume.sh
# motevm's virtio-rng and virtio-net (on a TAP in a namespace) with the kernel's drivers (KVM)
TESTS += tests/e2e/motevm_virtio.sh
# motevm's virtio console with the kernel's driver (KVM): cat of 10 MiB, EOF, a slow reader
TESTS += tests/e2e/motevm_console.sh
# TCP sockets on lwIP: a C echo server in Mote (QEMU user net, port forwarded on loopback)
$(BUILD)/tests/e2e/echo_server: tests/e2e/net/echo_server.c | $(DEPS_STAMP)
	$(call quiet,CC,$@)mkdir -p $(@D) && $(HOST_CC) -std=gnu11 -O2 $(WARNINGS) -D_GNU_SOURCE -static -o $@ $<
TESTS += tests/e2e/net_echo.sh
TESTS_BUILD += $(BUILD)/tests/e2e/echo_server
# mote run -p: the echo server and Python's http.server reached from the host (QEMU user net)
TESTS += tests/e2e/net_publish.sh
# Debian's redis-server, nginx and iperf3 in Mote, driven by their clients on the host
TESTS += tests/e2e/net_servers.sh
# connections out of Mote by default (curl in Mote to a server on the host's loopback), --net none
TESTS += tests/e2e/net_outbound.sh
# a connection storm: 10,000 short connections to the echo server in Mote, then 1 MiB; no leak
TESTS += tests/e2e/net_storm.sh
# malformed frames of every layer from a hostile network (a stream socket under QEMU): still alive
TESTS += tests/e2e/net_malformed.sh
# name resolution in Mote: --nameserver, glibc's resolver, a DNS server the test starts
TESTS += tests/e2e/net_dns.sh
# --net tap:NAME on a TAP in a network namespace the test makes (root): ping and echo
TESTS += tests/e2e/net_tap.sh
# ip, ifconfig and Python's uuid read the interfaces (rtnetlink, SIOCGIF*, /proc/net/dev)
TESTS += tests/e2e/net_iproute.sh
# processes (issue 14): bash, busybox sh, Python's subprocess, git, make + gcc inside Mote as
# natively; a fork bomb in 256 MiB ends in clean errors (motevm and QEMU TCG)
TESTS += tests/e2e/processes.sh tests/e2e/processes_qemu.sh
# runtime recipes (issue 15): python3, perl, lua, node and java (-version, -cp DIR, -jar) run in
# Mote with no --add as natively; what recipes and the command line add (motevm and QEMU TCG;
# ~30 s under TCG, java's three runs ~4 s each)
TESTS += tests/e2e/mote_runtimes.sh tests/e2e/mote_runtimes_qemu.sh
# mote run --jail (issue 16): motevm through mote-jailer, given its files as descriptors; a
# static probe in motevm's place reports the jail where KVM is missing (root; seconds)
TESTS += tests/e2e/mote_jail.sh
# CPython's regression suite, the fast set (tests/compat/cpython.sh; `make compat` runs the full
# one): test_posix, test_os, test_threading, test_signal, test_subprocess and ten quick modules
# from Debian's libpython3.11-testsuite (tools/python_tests.sh), every case that passes natively
# passes in Mote (motevm and QEMU TCG; 3-4 minutes under TCG)
TESTS += tests/compat/cpython_fast.sh tests/compat/cpython_fast_qemu.sh
