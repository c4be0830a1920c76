# mote.mk: the `mote` command (tools/mote/).
MOTE_SRCS := $(addprefix tools/mote/, main.c cmd_run.c terminal.c cmd_cache.c cache_prune.c \
	detach.c jail.c klog.c vmconfig.c vmstate.c vmctl.c cmd_vm.c \
	usernet.c cmd_build.c cmd_inspect.c cmd_volume.c hosttool.c image_ext4.c options.c errmsg.c \
	recipe.c elfdeps.c closure.c libdata.c elf.c ldcache.c fileset.c pathindex.c cpio.c image.c progress.c cache.c \
	launch.c quote.c relay.c trace.c trace_add.c runtimes.c autoadd.c hosttree.c lines.c)
MOTE_OBJS := $(MOTE_SRCS:%.c=$(BUILD)/%.o)

$(BUILD)/mote: $(MOTE_OBJS)
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^ -ljansson

ALL_TARGETS += $(BUILD)/mote

TESTS += tests/e2e/mote_build.sh
# mote volume create/check against e2fsprogs (no VM)
TESTS += tests/e2e/mote_volume_create.sh
# mote build --format ext4 and mote run --image of it (root drive)
TESTS += tests/e2e/mote_ext4_image.sh
TESTS_BUILD += $(BUILD)/mote

# unit tests of mote's parts, linked with its objects (all but main.o)
MOTE_LIB_OBJS := $(filter-out $(BUILD)/tools/mote/main.o, $(MOTE_OBJS))

$(BUILD)/tests/unit/mote_cache_test: $(BUILD)/tests/unit/mote_cache_test.o $(MOTE_LIB_OBJS)
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^ -ljansson

TESTS += $(BUILD)/tests/unit/mote_cache_test
TESTS_BUILD += $(BUILD)/tests/unit/mote_cache_test

# the README's first command, in a fresh clone (slow: a whole build)
TESTS_SLOW += tests/e2e/readme_first_command.sh

# benchmark: mote run of a static hello (bench/mote_run.sh)
$(BUILD)/bench/hello-static: bench/hello.c | $(DEPS_STAMP)
	$(call quiet,CC,$@)mkdir -p $(@D) && $(HOST_CC) -O2 -static -o $@ $<

bench: $(BUILD)/bench/hello-static
BENCHES += bench/mote_run.sh bench/net.sh bench/usernet.sh bench/storage.sh bench/console.sh
# benchmark: the runtime recipes' images (python3, java, node: size, cold and cached) and
# start to exit beside the host (bench/runtimes.sh)
BENCHES += bench/runtimes.sh

# benchmark: bench/storage.sh's I/O program, the same static binary on the host and in Mote
$(BUILD)/bench/blkio: bench/blkio.c | $(DEPS_STAMP)
	$(call quiet,CC,$@)mkdir -p $(@D) && $(HOST_CC) -O2 $(WARNINGS) -static -pthread -o $@ $<

bench: $(BUILD)/bench/blkio

# benchmark: bench/proc.sh's program (fork, posix_spawn, pipes, a timed command) and the static
# true it spawns, the same binaries on the host and in Mote
$(BUILD)/bench/proc: bench/proc.c | $(DEPS_STAMP)
	$(call quiet,CC,$@)mkdir -p $(@D) && $(HOST_CC) -std=gnu11 -O2 $(WARNINGS) -D_GNU_SOURCE \
		-static -o $@ $<
$(BUILD)/bench/true: bench/true.c | $(DEPS_STAMP)
	$(call quiet,CC,$@)mkdir -p $(@D) && $(HOST_CC) -O2 $(WARNINGS) -static -o $@ $<

bench: $(BUILD)/bench/proc $(BUILD)/bench/true
BENCHES += bench/proc.sh

# mote run end to end (needs motevm, the kernel and QEMU)
TESTS += tests/e2e/mote_run.sh tests/e2e/mote_cache.sh tests/e2e/mote_lifecycle.sh
