# tests.mk: `make test` runs every program the fragments add to TESTS (tests/run.sh).
# TESTS_BUILD lists what must be built first (test binaries, guests, images).
# Slow tests (a Linux guest boot under PVM, ...) go in TESTS_SLOW: `make test` runs them,
# `make test-fast` leaves them out.
TESTS ?=
TESTS_SLOW ?=
TESTS_BUILD ?=

# Each run starts with the host it ran on (tests/host_info.sh, which never fails).
test: all $(TESTS_BUILD)
	$(Q)tests/host_info.sh || true
	$(Q)tests/run.sh $(TESTS) $(TESTS_SLOW)

test-fast: all $(TESTS_BUILD)
	$(Q)tests/host_info.sh || true
	$(Q)tests/run.sh $(TESTS)

.PHONY: test test-fast
