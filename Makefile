# Mote: top-level build. Each directory's rules live in its mk/ fragment.
#   make            build everything into build/ (installs missing Debian packages first)
#   make demo       build, then boot the demo guest in motevm
#   make test       run every test; ends with "N passed, N failed, N skipped"
#   make lint       clang-format check + cppcheck      make format   reformat the tree
#   make bench      run the benchmarks, write bench/RESULTS.md
#   make compat     CPython's regression suite natively and in Mote, its table into bench/RESULTS.md
#   make SAN=1      host code with ASan+UBSan          make V=1      show full commands
.DEFAULT_GOAL := all

include mk/common.mk
include mk/deps.mk
include mk/vmm.mk
include mk/kernel.mk
include mk/mote.mk
include mk/tests_unit.mk
include mk/tests_vmm.mk
include mk/tests_e2e.mk
include mk/apps.mk
include mk/demo.mk
include mk/host_info.mk
# after every fragment that adds to TESTS/TESTS_BUILD: prerequisites expand when read
include mk/tests.mk
include mk/bench.mk
include mk/compat.mk
include mk/lint.mk

all: $(ALL_TARGETS)

clean:
	rm -rf $(BUILD)

.PHONY: all clean
# (not in CPython's test suite, unpacked there by tools/python_tests.sh: its .d files are DTrace's)
-include $(shell find $(BUILD) -path $(BUILD)/third_party/python3.11-tests -prune -o \
	-name '*.d' -print 2>/dev/null)
