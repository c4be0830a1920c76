# demo.mk: `make demo`, the README's first command: build everything, then run the main job —
# real programs of this machine as microVMs with `mote run` (tools/demo.sh).
demo: all
	$(Q)tools/demo.sh

.PHONY: demo
