# lint.mk: `make lint` checks formatting and runs cppcheck; `make format` rewrites in place.
LINT_SRCS = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
LINT_SCRIPTS = $(shell git ls-files '*.sh' 2>/dev/null) .ci/run

lint:
	$(call quiet,FORMAT,check)clang-format --dry-run --Werror $(LINT_SRCS)
	$(call quiet,CPPCHK,host+guest)cppcheck -q --error-exitcode=1 --inline-suppr \
		--std=c11 --enable=warning,portability --suppress=missingIncludeSystem \
		-Iinclude -D__x86_64__ $(LINT_SRCS)
	$(call quiet,SHCHK,scripts)shellcheck -S warning $(LINT_SCRIPTS)

format:
	$(Q)clang-format -i $(LINT_SRCS)

.PHONY: lint format
