# bench.mk: `make bench` runs every benchmark script in BENCHES and writes bench/RESULTS.md.
BENCHES ?=

bench: all
	$(Q)bench/run.sh $(BENCHES)

.PHONY: bench
