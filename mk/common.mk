# common.mk: build directory, toolchains, flags and the quiet compile rules.
BUILD ?= build
# Every compile waits for tools/deps.sh to have installed the Debian packages (mk/deps.mk).
DEPS_STAMP := $(BUILD)/.deps-installed
ALL_TARGETS := $(DEPS_STAMP)
V ?= 0
ifeq ($(V),0)
Q := @
quiet = @printf '  %-6s %s\n' $(1) $(2);
else
Q :=
quiet =
endif

WARNINGS := -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes -Wundef -Wformat=2 \
	-Wshadow -Wno-unused-parameter

# Host code: motevm, mote, host-side tests.
HOST_CC ?= gcc
HOST_CFLAGS := -std=gnu11 -O2 -g $(WARNINGS) -D_GNU_SOURCE -Iinclude -MMD -MP
HOST_LDFLAGS :=
ifeq ($(SAN),1)
# (-O1 under the sanitizers' instrumentation makes gcc 12's format-truncation analysis see
# NULL and overlong arguments the -O2 build proves impossible: off there, kept at -O2)
HOST_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -O1 -Wno-format-truncation
HOST_LDFLAGS += -fsanitize=address,undefined
endif

# Freestanding guest code: the kernel and the tiny test guests.
GUEST_CC ?= gcc
GUEST_CFLAGS := -std=gnu11 -O2 -g $(WARNINGS) -ffreestanding -fno-builtin -nostdinc \
	-fno-stack-protector -fno-pic -fno-pie -mno-red-zone -mno-mmx -mno-sse -mno-sse2 \
	-mno-avx -fno-omit-frame-pointer -fno-asynchronous-unwind-tables -fcf-protection=none \
	-Iinclude -MMD -MP
GUEST_ASFLAGS := -g -Iinclude -MMD -MP -D__ASSEMBLY__
GUEST_LDFLAGS := -nostdlib -static -no-pie -z noexecstack -z max-page-size=4096 \
	-Wl,--build-id=none

$(BUILD)/%.o: %.c | $(DEPS_STAMP)
	$(call quiet,CC,$<)mkdir -p $(@D) && $(HOST_CC) $(HOST_CFLAGS) -c -o $@ $<
