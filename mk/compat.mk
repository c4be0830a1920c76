# compat.mk: `make compat` runs CPython's regression suite in full (tests/compat/cpython.sh's full
# set, ~40 minutes under QEMU TCG), each module natively and in Mote, and writes its table into
# bench/RESULTS.md ("CPython regression suite (make compat)", bench/run.sh --merge); it fails when
# a module does. `make test` runs the fast set (tests/compat/cpython_fast*.sh, mk/tests_e2e.mk).
compat: all
	$(Q)bench/run.sh --merge tests/compat/cpython_report.sh
	$(Q)exit "$$(cat $(BUILD)/compat/cpython.rc 2>/dev/null || echo 1)"

.PHONY: compat
