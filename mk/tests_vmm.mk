# tests_vmm.mk: VMM tests (tests/vmm/): one file per test holds a tiny guest (built with
# -DGUEST, freestanding) and the host assertions (built for the host), KVM-selftest style.
TV := tests/vmm
TVB := $(BUILD)/tests/vmm

# Tests with a guest of their own, host-only tests, and the slow one (a Debian kernel).
VMM_TESTS := exit boot_pvh boot_linux serial console smp cpuid cpuid_edit i8042 boot_timer hostile \
	signals qemu exit_stats
VMM_TESTS_HOST := bad_image bad_config api_http stats_file
VMM_TESTS_SLOW := $(TV)/debian_linux.sh

VMM_GUEST_RT := $(TVB)/guest/lib.o $(TVB)/guest/entry64.o
VMM_TEST_BINS := $(VMM_TESTS:%=$(TVB)/%) $(VMM_TESTS_HOST:%=$(TVB)/%)
VMM_TEST_HOST_OBJS := $(VMM_TEST_BINS:%=%.o) $(TVB)/host/vmmtest.o
# Guests, by default one PVH ELF per test; tests needing more add them below.
VMM_TEST_GUESTS := $(VMM_TESTS:%=$(TVB)/%.elf) $(TVB)/boot_linux.vmlinux $(TVB)/boot_linux.bzImage \
	$(TVB)/boot_pvh.elf32

$(VMM_TEST_HOST_OBJS): HOST_CFLAGS += -I$(TV)
# Keep the guest objects make builds on the way (they are intermediate otherwise).
.SECONDARY: $(VMM_GUEST_RT) $(TVB)/guest/pvh.o $(TVB)/guest/bzimage.o \
	$(VMM_TESTS:%=$(TVB)/%.guest.o)

# Guest side: the runtime, and each test file compiled with -DGUEST.
$(TVB)/guest/%.o: $(TV)/guest/%.c | $(DEPS_STAMP)
	$(call quiet,GUESTCC,$<)mkdir -p $(@D) && $(GUEST_CC) $(GUEST_CFLAGS) -c -o $@ $<
$(TVB)/guest/%.o: $(TV)/guest/%.S | $(DEPS_STAMP)
	$(call quiet,GUESTAS,$<)mkdir -p $(@D) && $(GUEST_CC) $(GUEST_ASFLAGS) -c -o $@ $<
$(TVB)/%.guest.o: $(TV)/%.c | $(DEPS_STAMP)
	$(call quiet,GUESTCC,$<)mkdir -p $(@D) && $(GUEST_CC) $(GUEST_CFLAGS) -DGUEST -I$(TV) \
		-c -o $@ $<

# PVH ELF (the note + 32-bit entry, and the 64-bit entry as e_entry).
$(TVB)/%.elf: $(TVB)/%.guest.o $(TVB)/guest/pvh.o $(VMM_GUEST_RT) $(TV)/guest/guest.ld
	$(call quiet,GUESTLD,$@)$(GUEST_CC) $(GUEST_LDFLAGS) -T $(TV)/guest/guest.ld -o $@ \
		$(filter %.o,$^)

# ELF vmlinux without the PVH note: booted through the Linux 64-bit boot protocol.
$(TVB)/%.vmlinux: $(TVB)/%.guest.o $(VMM_GUEST_RT) $(TV)/guest/guest.ld
	$(call quiet,GUESTLD,$@)$(GUEST_CC) $(GUEST_LDFLAGS) -T $(TV)/guest/guest.ld -o $@ \
		$(filter %.o,$^)

# bzImage: the guest behind a boot sector with a setup header, laid out by bzimage.ld.
$(TVB)/%.bzImage: $(TVB)/%.guest.o $(TVB)/guest/bzimage.o $(VMM_GUEST_RT) \
		$(TV)/guest/bzimage.ld
	$(call quiet,GUESTLD,$@)$(GUEST_CC) $(GUEST_LDFLAGS) -Wl,--no-warn-rwx-segments \
		-T $(TV)/guest/bzimage.ld \
		-o $@.elf $(filter %.o,$^) && objcopy -O binary $@.elf $@

# The same PVH guest in an ELF32 container (as some PVH kernels come).
$(TVB)/%.elf32: $(TVB)/%.elf
	$(call quiet,OBJCOPY,$@)objcopy -I elf64-x86-64 -O elf32-i386 $< $@

# Host side: each test binary with the shared helpers.
$(VMM_TEST_BINS): $(TVB)/%: $(TVB)/%.o $(TVB)/host/vmmtest.o
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^

# stats_file: motevm's KVM statistics reader and exit report, with KVM faked in the test.
$(TVB)/stats_file.o: HOST_CFLAGS += -Ivmm
$(TVB)/stats_file: $(BUILD)/vmm/kvm/stats.o $(BUILD)/vmm/exit_stats.o $(BUILD)/vmm/log.o \
	$(BUILD)/vmm/inherit.o

# The API: curl against motevm (tests/vmm/api/; abuse.sh: hostile clients), the HTTP transport
# in C (api_http.c).
VMM_API_TESTS := $(TV)/api/devices_preboot.sh $(TV)/api/endpoints.sh $(TV)/api/boot.sh \
	$(TV)/api/abuse.sh $(TV)/api/fuzz.sh

TESTS += $(VMM_TEST_BINS) $(VMM_API_TESTS) $(TV)/jailer.sh $(TV)/seccomp.sh
TESTS_SLOW += $(VMM_TESTS_SLOW)
TESTS_BUILD += $(VMM_TEST_BINS) $(VMM_TEST_GUESTS) $(FUZZ_BIN)

# mote run --jail without KVM: a static probe stands where motevm would (tests/e2e/mote_jail.sh).
$(TVB)/jail_probe: $(TV)/jail_probe.c | $(DEPS_STAMP)
	$(call quiet,CC,$<)mkdir -p $(@D) && $(HOST_CC) -O2 -Wall -Wextra -static -o $@ $<
TESTS_BUILD += $(TVB)/jail_probe
