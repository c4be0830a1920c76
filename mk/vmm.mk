# vmm.mk: motevm, the microVM monitor (vmm/).
VMM_SRCS := \
	vmm/main.c vmm/vmm.c vmm/log.c vmm/event.c vmm/metrics.c \
	vmm/api/config.c vmm/api/config_devices.c vmm/api/serde.c vmm/api/http.c \
	vmm/api/server.c vmm/api/routes.c vmm/api/controller.c \
	vmm/kvm/vm.c vmm/kvm/vcpu.c vmm/kvm/memory.c vmm/kvm/irq.c \
	vmm/arch/x86_64/cpu.c vmm/arch/x86_64/mptable.c vmm/arch/x86_64/e820.c \
	vmm/boot/boot.c vmm/boot/elf.c vmm/boot/pvh.c vmm/boot/linux.c vmm/boot/initrd.c \
	vmm/boot/cmdline.c \
	vmm/devices/bus.c vmm/devices/devices.c \
	vmm/devices/legacy/serial.c vmm/devices/legacy/i8042.c \
	vmm/devices/legacy/boot_timer.c vmm/devices/legacy/exit.c
VMM_OBJS := $(VMM_SRCS:%.c=$(BUILD)/%.o)
MOTEVM := $(BUILD)/motevm

$(VMM_OBJS): HOST_CFLAGS += -Ivmm
# Static: no dynamic loader at start-up (faster, smaller RSS); sanitizers need dynamic.
ifneq ($(SAN),1)
MOTEVM_LDFLAGS := -static
endif

$(MOTEVM): $(VMM_OBJS)
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) $(MOTEVM_LDFLAGS) -o $@ $(VMM_OBJS) \
		-lhttp_parser -ljansson -lpthread

ALL_TARGETS += $(MOTEVM)

# Benchmark (bench/vmm_start.sh): a trivial PVH guest and a fork/exec/wait4 timer.
VMM_BENCH_GUEST := $(BUILD)/bench/vmm_exit_guest.elf
VMM_BENCH_RUNNER := $(BUILD)/bench/vmm_runner

$(BUILD)/bench/vmm_exit_guest.o: bench/vmm_exit_guest.S | $(DEPS_STAMP)
	$(call quiet,GUESTAS,$<)mkdir -p $(@D) && $(GUEST_CC) $(GUEST_ASFLAGS) -c -o $@ $<
$(VMM_BENCH_GUEST): $(BUILD)/bench/vmm_exit_guest.o bench/vmm_exit_guest.ld
	$(call quiet,GUESTLD,$@)$(GUEST_CC) $(GUEST_LDFLAGS) -T bench/vmm_exit_guest.ld -o $@ $<
$(VMM_BENCH_RUNNER): $(BUILD)/bench/vmm_runner.o
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^

bench: $(VMM_BENCH_GUEST) $(VMM_BENCH_RUNNER)
BENCHES += bench/vmm_start.sh
