# tests_unit.mk: host-compiled unit tests of pure code: the kernel's command line, cpio reader
# and gzip, ext4 directory hashes and blocks, and motevm's test-only CPUID edits.
# kernel/core/cmdline.c is built for the host with CMDLINE_HOST_TEST (no kernel around it).
KERNEL_UNIT_CFLAGS := $(HOST_CFLAGS) -Ikernel -DCMDLINE_HOST_TEST -fno-builtin

$(BUILD)/tests/unit/kernel_cmdline.o: kernel/core/cmdline.c | $(DEPS_STAMP)
	$(call quiet,CC,$<)mkdir -p $(@D) && $(HOST_CC) $(KERNEL_UNIT_CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/kernel_cmdline_test.o: tests/unit/kernel_cmdline_test.c | $(DEPS_STAMP)
	$(call quiet,CC,$<)mkdir -p $(@D) && $(HOST_CC) $(KERNEL_UNIT_CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/kernel_cmdline_test: $(BUILD)/tests/unit/kernel_cmdline_test.o \
		$(BUILD)/tests/unit/kernel_cmdline.o
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^

TESTS += $(BUILD)/tests/unit/kernel_cmdline_test
TESTS_BUILD += $(BUILD)/tests/unit/kernel_cmdline_test

# kernel/fs/cpio.c (the initrd's cpio newc reader) is pure code too.
$(BUILD)/tests/unit/kernel_cpio.o: kernel/fs/cpio.c | $(DEPS_STAMP)
	$(call quiet,CC,$<)mkdir -p $(@D) && $(HOST_CC) $(KERNEL_UNIT_CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/kernel_cpio_test.o: tests/unit/kernel_cpio_test.c | $(DEPS_STAMP)
	$(call quiet,CC,$<)mkdir -p $(@D) && $(HOST_CC) $(KERNEL_UNIT_CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/kernel_cpio_test: $(BUILD)/tests/unit/kernel_cpio_test.o \
		$(BUILD)/tests/unit/kernel_cpio.o
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^

TESTS += $(BUILD)/tests/unit/kernel_cpio_test
TESTS_BUILD += $(BUILD)/tests/unit/kernel_cpio_test

# kernel/lib's gzip decoder (inflate.c, gzip.c, crc32.c), against the real gzip.
KERNEL_INFLATE_OBJS := $(patsubst %,$(BUILD)/tests/unit/kernel_%.o,inflate gzip crc32)

$(BUILD)/tests/unit/kernel_%.o: kernel/lib/%.c | $(DEPS_STAMP)
	$(call quiet,CC,$<)mkdir -p $(@D) && $(HOST_CC) $(KERNEL_UNIT_CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/kernel_inflate_test.o: tests/unit/kernel_inflate_test.c | $(DEPS_STAMP)
	$(call quiet,CC,$<)mkdir -p $(@D) && $(HOST_CC) $(KERNEL_UNIT_CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/kernel_inflate_test: $(BUILD)/tests/unit/kernel_inflate_test.o \
		$(KERNEL_INFLATE_OBJS)
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^

TESTS += $(BUILD)/tests/unit/kernel_inflate_test
TESTS_BUILD += $(BUILD)/tests/unit/kernel_inflate_test

# motevm's --cpuid/--cpu-hide parser and the edits on a CPUID table (vmm/arch/x86_64/cpuid.c).
$(BUILD)/tests/unit/vmm_cpuid_test.o: HOST_CFLAGS += -Ivmm

$(BUILD)/tests/unit/vmm_cpuid_test: $(BUILD)/tests/unit/vmm_cpuid_test.o \
		$(BUILD)/vmm/arch/x86_64/cpuid.o
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^

TESTS += $(BUILD)/tests/unit/vmm_cpuid_test
TESTS_BUILD += $(BUILD)/tests/unit/vmm_cpuid_test

# motevm's logger (vmm/log.c): prefixes, the level filter, line ends on a raw terminal.
$(BUILD)/tests/unit/vmm_log_test.o: HOST_CFLAGS += -Ivmm

$(BUILD)/tests/unit/vmm_log_test: $(BUILD)/tests/unit/vmm_log_test.o $(BUILD)/vmm/log.o \
		$(BUILD)/vmm/inherit.o
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^

TESTS += $(BUILD)/tests/unit/vmm_log_test
TESTS_BUILD += $(BUILD)/tests/unit/vmm_log_test

# motevm's "/dev/fd/N" paths (vmm/inherit.c): inherited descriptors only, also in a chroot.
$(BUILD)/tests/unit/vmm_inherit_test.o: HOST_CFLAGS += -Ivmm

$(BUILD)/tests/unit/vmm_inherit_test: $(BUILD)/tests/unit/vmm_inherit_test.o \
		$(BUILD)/vmm/inherit.o
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^

TESTS += $(BUILD)/tests/unit/vmm_inherit_test
TESTS_BUILD += $(BUILD)/tests/unit/vmm_inherit_test

# The kernel's XSAVE planning (kernel/arch/x86_64/xstate.c) on real hosts' CPUID tables.
$(BUILD)/tests/unit/kernel_xstate.o: kernel/arch/x86_64/xstate.c | $(DEPS_STAMP)
	$(call quiet,CC,$<)mkdir -p $(@D) && $(HOST_CC) $(KERNEL_UNIT_CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/kernel_xstate_test.o: tests/unit/kernel_xstate_test.c | $(DEPS_STAMP)
	$(call quiet,CC,$<)mkdir -p $(@D) && $(HOST_CC) $(KERNEL_UNIT_CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/kernel_xstate_test: $(BUILD)/tests/unit/kernel_xstate_test.o \
		$(BUILD)/tests/unit/kernel_xstate.o
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^

TESTS += $(BUILD)/tests/unit/kernel_xstate_test
TESTS_BUILD += $(BUILD)/tests/unit/kernel_xstate_test

# motevm's virtio devices (vmm/devices/virtio/) against a driver built around the kernel's own
# virtqueue.c (tests/unit/virtio_driver.c, compiled with the kernel's headers and the page
# and address shims of tests/unit/shim), with no KVM: guest RAM, bus and event loop only.
VDRV_CFLAGS := $(HOST_CFLAGS) -Itests/unit/shim -Ikernel -fno-builtin
VDRV_OBJS := $(BUILD)/tests/unit/virtio_driver.o $(BUILD)/tests/unit/kernel_virtqueue.o
VMM_VIRTIO_OBJS := $(patsubst %,$(BUILD)/vmm/%.o,devices/virtio/mmio devices/virtio/queue \
	devices/virtio/rng devices/virtio/net devices/virtio/tap devices/virtio/stream devices/bus event log \
	kvm/memory kvm/irq inherit)

$(BUILD)/tests/unit/virtio_driver.o: tests/unit/virtio_driver.c | $(DEPS_STAMP)
	$(call quiet,CC,$<)mkdir -p $(@D) && $(HOST_CC) $(VDRV_CFLAGS) -c -o $@ $<
$(BUILD)/tests/unit/kernel_virtqueue.o: kernel/drivers/virtio/virtqueue.c | $(DEPS_STAMP)
	$(call quiet,CC,$<)mkdir -p $(@D) && $(HOST_CC) $(VDRV_CFLAGS) -c -o $@ $<
$(BUILD)/tests/unit/vmm_virtio_test.o $(BUILD)/tests/unit/vmm_virtio_net_test.o: \
	HOST_CFLAGS += -Ivmm -Itests/unit

$(BUILD)/tests/unit/vmm_virtio_test: $(BUILD)/tests/unit/vmm_virtio_test.o $(VDRV_OBJS) \
		$(VMM_VIRTIO_OBJS)
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^ -lpthread

TESTS += $(BUILD)/tests/unit/vmm_virtio_test
TESTS_BUILD += $(BUILD)/tests/unit/vmm_virtio_test

$(BUILD)/tests/unit/vmm_virtio_net_test: $(BUILD)/tests/unit/vmm_virtio_net_test.o $(VDRV_OBJS) \
		$(VMM_VIRTIO_OBJS)
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^ -lpthread

TESTS += $(BUILD)/tests/unit/vmm_virtio_net_test
TESTS_BUILD += $(BUILD)/tests/unit/vmm_virtio_net_test

$(BUILD)/tests/unit/vmm_virtio_blk_test.o: HOST_CFLAGS += -Ivmm -Itests/unit
$(BUILD)/tests/unit/vmm_virtio_blk_test: $(BUILD)/tests/unit/vmm_virtio_blk_test.o $(VDRV_OBJS) \
		$(VMM_VIRTIO_OBJS) $(BUILD)/vmm/devices/virtio/blk.o \
		$(BUILD)/vmm/devices/virtio/blk_req.o $(BUILD)/vmm/devices/virtio/blk_uring.o
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^ -luring -lpthread

TESTS += $(BUILD)/tests/unit/vmm_virtio_blk_test
TESTS_BUILD += $(BUILD)/tests/unit/vmm_virtio_blk_test

# The virtio console on pipes: multiport, input with end of input, a blocked stdout, hostile
# drivers.
$(BUILD)/tests/unit/vmm_virtio_console_test.o: HOST_CFLAGS += -Ivmm -Itests/unit
$(BUILD)/tests/unit/vmm_virtio_console_test: $(BUILD)/tests/unit/vmm_virtio_console_test.o \
		$(VDRV_OBJS) $(VMM_VIRTIO_OBJS) $(BUILD)/vmm/devices/virtio/console.o
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^ -lpthread

TESTS += $(BUILD)/tests/unit/vmm_virtio_console_test
TESTS_BUILD += $(BUILD)/tests/unit/vmm_virtio_console_test

# The kernel's virtio console driver itself (kernel/drivers/virtio/console.c, on a host version
# of its transport: tests/unit/kcon_glue.c) against motevm's device, as mote run pairs them.
KCON_CFLAGS := $(HOST_CFLAGS) -Itests/unit/shim_console -Itests/unit/shim -Ikernel -Itests/unit \
	-fno-builtin
$(BUILD)/tests/unit/kcon_glue.o: tests/unit/kcon_glue.c | $(DEPS_STAMP)
	$(call quiet,CC,$<)mkdir -p $(@D) && $(HOST_CC) $(KCON_CFLAGS) -c -o $@ $<
$(BUILD)/tests/unit/kernel_vconsole.o: kernel/drivers/virtio/console.c | $(DEPS_STAMP)
	$(call quiet,CC,$<)mkdir -p $(@D) && $(HOST_CC) $(KCON_CFLAGS) -c -o $@ $<
$(BUILD)/tests/unit/vmm_virtio_console_kdrv_test.o: HOST_CFLAGS += -Ivmm -Itests/unit
$(BUILD)/tests/unit/vmm_virtio_console_kdrv_test: \
		$(BUILD)/tests/unit/vmm_virtio_console_kdrv_test.o $(BUILD)/tests/unit/kcon_glue.o \
		$(BUILD)/tests/unit/kernel_vconsole.o $(VDRV_OBJS) $(VMM_VIRTIO_OBJS) \
		$(BUILD)/vmm/devices/virtio/console.o
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^ -lpthread

TESTS += $(BUILD)/tests/unit/vmm_virtio_console_kdrv_test
TESTS_BUILD += $(BUILD)/tests/unit/vmm_virtio_console_kdrv_test

# ext4's directory hashes (kernel/fs/ext4/hash.c) against e2fsprogs' debugfs dx_hash, and the
# hashed directories' blocks in memory (dx.c: index entries, checksums, leaf insert and split).
$(BUILD)/tests/unit/kernel_ext4_%.o: kernel/fs/ext4/%.c | $(DEPS_STAMP)
	$(call quiet,CC,$<)mkdir -p $(@D) && $(HOST_CC) $(KERNEL_UNIT_CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/ext4_hash_test.o $(BUILD)/tests/unit/ext4_dx_test.o: HOST_CFLAGS += -Ikernel

$(BUILD)/tests/unit/ext4_hash_test: $(BUILD)/tests/unit/ext4_hash_test.o \
		$(BUILD)/tests/unit/kernel_ext4_hash.o
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^

$(BUILD)/tests/unit/ext4_dx_test: $(BUILD)/tests/unit/ext4_dx_test.o \
		$(BUILD)/tests/unit/kernel_ext4_dx.o $(BUILD)/tests/unit/kernel_ext4_hash.o \
		$(BUILD)/tests/unit/kernel_crc32c.o
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^

TESTS += $(BUILD)/tests/unit/ext4_hash_test $(BUILD)/tests/unit/ext4_dx_test
TESTS_BUILD += $(BUILD)/tests/unit/ext4_hash_test $(BUILD)/tests/unit/ext4_dx_test

# motevm's seccomp filters (vmm/seccomp/): each thread category's built-in list in a child
# (its calls live, one outside the list exits 148 naming it) and seccompiler JSON files.
VMM_SECCOMP_OBJS := $(patsubst %,$(BUILD)/vmm/%.o,seccomp/filter seccomp/rules seccomp/json log \
	inherit)
$(BUILD)/tests/unit/vmm_seccomp_test.o: HOST_CFLAGS += -Ivmm

$(BUILD)/tests/unit/vmm_seccomp_test: $(BUILD)/tests/unit/vmm_seccomp_test.o $(VMM_SECCOMP_OBJS)
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^ -ljansson -lseccomp -lpthread

TESTS += $(BUILD)/tests/unit/vmm_seccomp_test
TESTS_BUILD += $(BUILD)/tests/unit/vmm_seccomp_test

# motevm's privilege drop (vmm/privdrop.c): in a child, as root, every capability set empty,
# checked in /proc and by what root can no longer do; per thread; a non-root drop too.
$(BUILD)/tests/unit/vmm_privdrop_test.o: HOST_CFLAGS += -Ivmm

$(BUILD)/tests/unit/vmm_privdrop_test: $(BUILD)/tests/unit/vmm_privdrop_test.o \
		$(BUILD)/vmm/privdrop.o
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^ -lpthread

TESTS += $(BUILD)/tests/unit/vmm_privdrop_test
TESTS_BUILD += $(BUILD)/tests/unit/vmm_privdrop_test
