# demo.mk: `make demo`, the README's first command: build everything, then run the main job —
# boot the Mote kernel in motevm on 2 vCPUs and let it show what it is and what it measured.
DEMO_CONFIG := $(BUILD)/demo/vm.json

$(DEMO_CONFIG): mk/demo.mk
	$(Q)mkdir -p $(@D) && printf '%s\n' \
		'{"boot-source": {"kernel_image_path": "$(BUILD)/kernel/mote.elf",' \
		'                 "boot_args": "--verbose --selftest=smp,sched,bench_switch"},' \
		' "machine-config": {"vcpu_count": 2, "mem_size_mib": 64}}' >$@

demo: all $(DEMO_CONFIG)
	$(Q)$(BUILD)/motevm --no-api --boot-timer --config-file $(DEMO_CONFIG)

.PHONY: demo
