# tests_vmm.mk: VMM tests (tests/vmm/): one file per test holds a tiny guest (built with
# -DGUEST, freestanding) and the host assertions (built for the host), KVM-selftest style.
TV := tests/vmm
TVB := $(BUILD)/tests/vmm

# Fast tests, then the slow ones (a Debian kernel boot).
VMM_TESTS := exit
VMM_TESTS_SLOW :=

VMM_GUEST_RT := $(TVB)/guest/lib.o $(TVB)/guest/entry64.o
VMM_TEST_BINS := $(VMM_TESTS:%=$(TVB)/%) $(VMM_TESTS_SLOW:%=$(TVB)/%)
VMM_TEST_HOST_OBJS := $(VMM_TEST_BINS:%=%.o) $(TVB)/host/vmmtest.o
# Guests, by default one PVH ELF per test; tests needing more add them below.
VMM_TEST_GUESTS := $(VMM_TESTS:%=$(TVB)/%.elf)

$(VMM_TEST_HOST_OBJS): HOST_CFLAGS += -I$(TV)
# Keep the guest objects make builds on the way (they are intermediate otherwise).
.SECONDARY: $(VMM_GUEST_RT) $(TVB)/guest/pvh.o $(VMM_TESTS:%=$(TVB)/%.guest.o) \
	$(VMM_TESTS_SLOW:%=$(TVB)/%.guest.o)

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

# Host side: each test binary with the shared helpers.
$(VMM_TEST_BINS): $(TVB)/%: $(TVB)/%.o $(TVB)/host/vmmtest.o
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^

TESTS += $(VMM_TESTS:%=$(TVB)/%)
TESTS_SLOW += $(VMM_TESTS_SLOW:%=$(TVB)/%)
TESTS_BUILD += $(VMM_TEST_BINS) $(VMM_TEST_GUESTS)
