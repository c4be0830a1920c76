# compat.mk: `make compat` runs CPython's regression suite in full (tests/compat/cpython.sh's full
# set, ~25 minutes under QEMU TCG), each module natively and then in Mote, and writes its table
# into bench/RESULTS.md ("CPython regression suite (make compat)", through bench/run.sh --merge,
# which keeps the other sections; `make bench` rewrites the whole file, so run it before this).
# It fails when a module does. `make test` runs the fast set (tests/compat/cpython_fast*.sh,
# in mk/tests_e2e.mk).
compat: all
	$(Q)bench/run.sh --merge tests/compat/cpython_report.sh
	$(Q)exit "$$(cat $(BUILD)/compat/cpython.rc 2>/dev/null || echo 1)"

.PHONY: compat
