# kernel_lib.sh: boot the Mote kernel on one platform (sourced by the tests/e2e/kernel_*.sh
# tests, after tests/lib.sh).
#   kernel_boot PLATFORM VCPUS MEM_MIB CMDLINE [ELF] [STDIN]
# PLATFORM: motevm (the PV path on kvm_pvm hosts), microvm or q35 (QEMU TCG, standard path).
# INITRD=file in the environment passes an initrd; MOTEVM_ARGS="OPT ..." adds options to
# motevm's command line (split at spaces, e.g. MOTEVM_ARGS="--cpu-hide xsave"); QEMU_CPU=MODEL
# gives QEMU's -cpu (its default, qemu64, otherwise); QEMU_ARGS="OPT ..." adds QEMU options.
# Leaves the guest's console output in $OUT (a file) and its exit status in $STATUS; QEMU's
# isa-debug-exit status (s << 1) | 1 is mapped back to s. Skips when the platform is missing.
# shellcheck shell=bash
KERNEL=build/kernel/mote.elf
MOTEVM=build/motevm

need_platform() {
	[ -f "$KERNEL" ] || skip "$KERNEL not built"
	case $1 in
	motevm)
		[ -x "$MOTEVM" ] || skip "$MOTEVM not built"
		[ -w /dev/kvm ] || skip "no writable /dev/kvm"
		;;
	microvm | q35)
		command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
		;;
	*)
		echo "kernel_lib: unknown platform $1" >&2
		exit 2
		;;
	esac
}

kernel_boot() {
	local platform=$1 vcpus=$2 mem=$3 args=$4 elf=${5:-$KERNEL} input=${6:-/dev/null} rc
	local initrd=${INITRD:-} extra=() qextra=()
	read -ra extra <<<"${MOTEVM_ARGS:-}"
	read -ra qextra <<<"${QEMU_ARGS:-}"
	OUT=$TEST_TMP/out.$RANDOM
	case $platform in
	motevm)
		jq -n --arg k "$elf" --arg a "$args" --argjson n "$vcpus" --argjson m "$mem" \
			--arg i "$initrd" \
			'{"boot-source": ({kernel_image_path: $k, boot_args: $a} +
			    (if $i == "" then {} else {initrd_path: $i} end)),
			  "machine-config": {vcpu_count: $n, mem_size_mib: $m}}' >"$TEST_TMP/vm.json"
		timeout 60 "$MOTEVM" --config-file "$TEST_TMP/vm.json" --no-api --level Warning \
			"${extra[@]}" <"$input" >"$OUT" 2>&1
		rc=$?
		;;
	microvm | q35)
		timeout 120 qemu-system-x86_64 -M "$platform" -accel tcg -m "$mem" -smp "$vcpus" \
			${QEMU_CPU:+-cpu "$QEMU_CPU"} "${qextra[@]}" \
			-nographic -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
			-kernel "$elf" ${initrd:+-initrd "$initrd"} -append "$args" <"$input" >"$OUT" 2>&1
		rc=$?
		if [ $((rc & 1)) -eq 1 ]; then rc=$(((rc - 1) / 2)); else rc=-1; fi
		;;
	esac
	STATUS=$rc
	echo "--- $platform${MOTEVM_ARGS:+ $MOTEVM_ARGS}${QEMU_CPU:+ -cpu $QEMU_CPU}, $vcpus vCPUs, $mem MiB, \"$args\": status $STATUS"
	cat "$OUT"
}

# microvm_virtio N: the virtio_mmio.device= words (each after a space) for QEMU microvm's
# first N virtio-mmio transports: 512 bytes each from 0xfeb00000, GSI 16 on (QEMU describes
# them to an ELF kernel in ACPI only). N=8 with one IOAPIC (-machine ioapic2=off), 24 with two.
microvm_virtio() {
	local i
	for ((i = 0; i < $1; i++)); do
		printf ' virtio_mmio.device=512@0x%x:%d' $((0xfeb00000 + i * 512)) $((16 + i))
	done
}
