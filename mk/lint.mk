# lint.mk: `make lint` checks formatting and runs cppcheck; `make format` rewrites in place.
LINT_SRCS = $(shell git ls-files '*.c' '*.h' 2>/dev/null)

lint:
	$(call quiet,FORMAT,check)clang-format --dry-run --Werror $(LINT_SRCS)
	$(call quiet,CPPCHK,host+guest)cppcheck -q --error-exitcode=1 --inline-suppr \
		--std=c11 --enable=warning,portability --suppress=missingIncludeSystem \
		-Iinclude -D__x86_64__ $(LINT_SRCS)

format:
	$(Q)clang-format -i $(LINT_SRCS)

.PHONY: lint format
