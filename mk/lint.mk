# lint.mk: `make lint` checks formatting and runs cppcheck; `make format` rewrites in place.
LINT_SRCS = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
LINT_SCRIPTS = $(shell git ls-files '*.sh' 2>/dev/null) .ci/run
# Layers never reach up (DESIGN.md): these include nothing of kernel/linux/, whether the file
# is committed yet or not. What they need from above arrives through core/ or a hook.
LINT_BELOW_LINUX = kernel/drivers kernel/fs kernel/net
LINT_LINUX_INCLUDE = ^[[:space:]]*\#[[:space:]]*include[[:space:]]*[<"]linux/
# and lib/, the bottom, includes nothing of the layers above it
LINT_ABOVE_LIB_INCLUDE = ^[[:space:]]*\#[[:space:]]*include[[:space:]]*"(drivers|fs|net|linux|core)/

lint:
	$(call quiet,LAYERS,fs+net+drivers)if grep -rnE --include='*.[chS]' \
		'$(LINT_LINUX_INCLUDE)' $(LINT_BELOW_LINUX); then \
		echo 'lint: the lines above include linux/ from a lower layer (DESIGN.md)' >&2; \
		exit 1; fi
	$(Q)if grep -rnE --include='*.[chS]' '$(LINT_ABOVE_LIB_INCLUDE)' kernel/lib; then \
		echo 'lint: the lines above reach up from kernel/lib (DESIGN.md)' >&2; exit 1; fi
	$(call quiet,FORMAT,check)clang-format --dry-run --Werror $(LINT_SRCS)
	$(call quiet,CPPCHK,host+guest)cppcheck -q --error-exitcode=1 --inline-suppr \
		--std=c11 --enable=warning,portability --suppress=missingIncludeSystem \
		-Iinclude -D__x86_64__ $(LINT_SRCS)
	$(call quiet,SHCHK,scripts)shellcheck -S warning $(LINT_SCRIPTS)

format:
	$(Q)clang-format -i $(LINT_SRCS)

.PHONY: lint format
