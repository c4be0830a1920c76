# deps.mk: install the Debian packages the build and the tests need (tools/deps.sh).
$(DEPS_STAMP): tools/deps.sh
	$(call quiet,DEPS,tools/deps.sh)mkdir -p $(@D) && tools/deps.sh && touch $@

deps: $(DEPS_STAMP)
.PHONY: deps
