# apps.mk: tests/apps/, small Linux programs that exercise the system-call surface. Each is built
# static and dynamic (glibc); tests/apps/run_native.sh runs both natively and keeps their output
# as the expected output that tests/apps/run_mote.sh compares runs inside Mote against (under
# motevm; tests/apps/run_mote_qemu.sh: under QEMU's TCG).
APPS_SRCS := $(addprefix tests/apps/, files.c dirs.c fdops.c mmap.c brk.c procfs.c devfs.c polling.c \
	threads.c futex.c futex_intr.c clone.c tls.c signals.c faults.c sigdefault.c timers.c time.c poll.c \
	epoll.c proc_info.c rlimits.c random.c vdso.c exec.c proc_create.c hugemem.c syscall_sites.c sockets.c sockets_udp.c \
	sockets_msg.c sockets_errno.c sockets_v6.c sockets_unix.c sockets_unix_dgram.c xattr.c pty.c sched.c memfd.c sparse.c \
	pidfd.c proc_pids.c jobctl.c signalfd.c shm.c dnotify.c netlink.c)
APPS_NAMES := $(APPS_SRCS:tests/apps/%.c=%)
APPS_BINS := $(foreach a,$(APPS_NAMES),$(BUILD)/tests/apps/$(a).static $(BUILD)/tests/apps/$(a).dyn)

# Own flags, not HOST_CFLAGS: these are the programs under test, never sanitized. -pthread for
# all: since glibc 2.34 threads live in libc and the flag only adds -D_REENTRANT.
APPS_CFLAGS := -std=gnu11 -O2 -g $(WARNINGS) -D_GNU_SOURCE -pthread

$(BUILD)/tests/apps/%.static: tests/apps/%.c | $(DEPS_STAMP)
	$(call quiet,CC,$@)mkdir -p $(@D) && \
		$(HOST_CC) $(APPS_CFLAGS) -MMD -MP -MF $@.d -static -o $@ $<

$(BUILD)/tests/apps/%.dyn: tests/apps/%.c | $(DEPS_STAMP)
	$(call quiet,CC,$@)mkdir -p $(@D) && $(HOST_CC) $(APPS_CFLAGS) -MMD -MP -MF $@.d -o $@ $<

ALL_TARGETS += $(APPS_BINS)

TESTS += tests/apps/run_native.sh
# after run_native.sh, which writes the expected results they compare against
TESTS += tests/apps/run_mote.sh
TESTS += tests/apps/run_mote_qemu.sh
TESTS_BUILD += $(APPS_BINS)
# the same on QEMU's qemu64 CPU model: fxsave, no AVX, no FSGSBASE (issue 10)
TESTS += tests/apps/run_mote_qemu64.sh
