# kernel_lib.sh: helpers for the kernel benchmarks (sourced): boot the kernel once on a
# platform and print its console (motevm's log lines included).
#   kboot PLATFORM VCPUS MEM_MIB CMDLINE
# PLATFORM: motevm (PV path), microvm / q35 (QEMU TCG), kvm-microvm (QEMU with KVM: the PV
# path found by the MSR probe on kvm_pvm hosts).
# shellcheck shell=bash
KERNEL=build/kernel/mote.elf
MOTEVM=build/motevm
BENCH_TMP=$(mktemp -d)
trap 'rm -rf "$BENCH_TMP"' EXIT

have() {
	case $1 in
	motevm) [ -x "$MOTEVM" ] && [ -w /dev/kvm ] ;;
	kvm-microvm) [ -w /dev/kvm ] && command -v qemu-system-x86_64 >/dev/null ;;
	*) command -v qemu-system-x86_64 >/dev/null ;;
	esac
}

kboot() {
	local platform=$1 vcpus=$2 mem=$3 args=$4
	case $platform in
	motevm)
		jq -n --arg k "$KERNEL" --arg a "$args" --argjson n "$vcpus" --argjson m "$mem" \
			'{"boot-source": {kernel_image_path: $k, boot_args: $a},
			  "machine-config": {vcpu_count: $n, mem_size_mib: $m}}' >"$BENCH_TMP/vm.json"
		timeout 60 "$MOTEVM" --config-file "$BENCH_TMP/vm.json" --no-api --boot-timer \
			</dev/null 2>&1
		;;
	kvm-microvm)
		timeout 60 qemu-system-x86_64 -M microvm -accel kvm -cpu qemu64,+invtsc -m "$mem" \
			-smp "$vcpus" -nographic -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
			-kernel "$KERNEL" -append "$args" </dev/null 2>&1
		;;
	*)
		timeout 120 qemu-system-x86_64 -M "$platform" -accel tcg -m "$mem" -smp "$vcpus" \
			-nographic -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
			-kernel "$KERNEL" -append "$args" </dev/null 2>&1
		;;
	esac
}

# median: of the numbers on stdin, one a line ("n/a" if none)
median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "n/a" }'
}

# ratio A B: A / B with two decimals ("n/a" if either is not a number)
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else print "n/a" }'
}
