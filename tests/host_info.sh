#!/bin/bash
# host_info.sh: one block describing this host, printed before `make test` and in every
# bench/RESULTS.md, because what Mote does depends on it (../shared/reference/kvm-pvm-host.md:
# "report the host beside every timing"): the CPU, the flags of interest, XCR0 against CPUID
# leaf 0xd (issue 10), the KVM flavour, and the cost of one trap into the host measured by the
# Mote kernel's bench_trap self-test under motevm. Needs nothing but bash; build/tests/host/xstate
# (make) adds XCR0. Never fails: anything it cannot learn is "n/a (why)", and it exits 0.
cd "$(dirname "$0")/.." || exit 0
XSTATE=build/tests/host/xstate
KERNEL=build/kernel/mote.elf
MOTEVM=build/motevm
FLAGS="avx512f amx_tile xsave xsavec fsgsbase pku x2apic tsc_deadline_timer constant_tsc \
nonstop_tsc la57 hypervisor"

cpuinfo() { # the first CPU's FIELD from /proc/cpuinfo
	awk -F': *' -v f="$1" '$1 ~ "^" f "[ \t]*$" { print $2; exit }' /proc/cpuinfo 2>/dev/null
}

# key: a value of the helper's "key value" lines ("" if absent)
xs() { printf '%s\n' "$XS" | awk -v k="$1" '$1 == k { sub(/^[^ ]+ /, ""); print; exit }'; }

# The cost of one trap: the kernel's bench_trap self-test on motevm, 1 vCPU.
trap_cost() {
	local cfg out line rc usable=no
	if [ -n "$XS" ]; then
		[ "$(xs kvm)" = usable ] && usable=yes
	elif [ -w /dev/kvm ]; then
		usable=yes
	fi
	if [ $usable = no ]; then
		echo "n/a (no usable /dev/kvm)"
		return
	fi
	if [ ! -x "$MOTEVM" ] || [ ! -f "$KERNEL" ]; then
		echo "n/a ($MOTEVM or $KERNEL not built)"
		return
	fi
	cfg=$(mktemp) || {
		echo "n/a (mktemp failed)"
		return
	}
	printf '{"boot-source": {"kernel_image_path": "%s", "boot_args": "--selftest=bench_trap"},
	  "machine-config": {"vcpu_count": 1, "mem_size_mib": 64}}\n' "$KERNEL" >"$cfg"
	out=$(timeout 60 "$MOTEVM" --no-api --config-file "$cfg" --level Warning </dev/null 2>&1)
	rc=$?
	rm -f "$cfg"
	line=$(printf '%s\n' "$out" | grep -m1 -oE '[0-9]+(\.[0-9]+)? ns per trap')
	[ -n "$line" ] || line=$(printf '%s\n' "$out" | grep -m1 -E '^bench trap_ns [0-9]+' |
		awk '{ print $3 " ns per trap" }')
	if [ -n "$line" ]; then
		echo "$line (bench_trap: the Mote kernel on motevm, 1 vCPU)"
	elif printf '%s\n' "$out" | grep -q "unknown test 'bench_trap'"; then
		echo "n/a (this kernel has no bench_trap self-test)"
	else
		echo "n/a (no bench_trap line; motevm exit $rc)"
	fi
}

XS=$([ -x "$XSTATE" ] && "$XSTATE" 2>/dev/null)

have=() lack=()
flags=" $(cpuinfo flags) "
for f in $FLAGS; do
	if [[ $flags == *" $f "* ]]; then have+=("$f"); else lack+=("$f"); fi
done

kvm_mods=
for m in kvm_intel kvm_amd kvm_pvm; do
	[ -d "/sys/module/$m" ] && kvm_mods+=${kvm_mods:+ }$m
done
if [ -n "$XS" ] && [ -n "$(xs kvm)" ]; then
	kvm_dev="/dev/kvm $(xs kvm)"
elif [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	kvm_dev="/dev/kvm read-write"
elif [ -e /dev/kvm ]; then
	kvm_dev="/dev/kvm n/a (not read-write for $(id -un 2>/dev/null))"
else
	kvm_dev="/dev/kvm n/a (missing)"
fi

echo "Host"
printf '  %-10s %s · %s · family %s model %s stepping %s · %s CPUs · Linux %s\n' cpu \
	"$(cpuinfo 'model name')" "$(cpuinfo vendor_id)" "$(cpuinfo 'cpu family')" \
	"$(cpuinfo model)" "$(cpuinfo stepping)" "$(nproc 2>/dev/null)" "$(uname -r)"
printf '  %-10s have: %s; lack: %s\n' flags "${have[*]:-none}" "${lack[*]:-none}"
if [ -z "$XS" ]; then
	printf '  %-10s n/a (%s not built: make)\n' xcr0 "$XSTATE"
elif [[ $(xs xcr0) == n/a* ]]; then
	printf '  %-10s %s\n' xcr0 "$(xs xcr0)"
else
	printf '  %-10s %s, %s bytes to save them\n' xcr0 "$(xs xcr0)" "$(xs xcr0_bytes)"
	printf '  %-10s here: %s, %s bytes at most\n' "cpuid 0xd" "$(xs cpuid_mask)" \
		"$(xs cpuid_bytes_max)"
	if [ -n "$(xs kvm_cpuid_bytes_max)" ]; then
		printf '  %-10s for a guest (KVM_GET_SUPPORTED_CPUID): %s, %s bytes at most\n' "" \
			"$(xs kvm_cpuid_mask)" "$(xs kvm_cpuid_bytes_max)"
		if [[ $kvm_mods == *kvm_pvm* ]] &&
			[ "$(xs xcr0_bytes)" -gt "$(xs kvm_cpuid_bytes_max)" ] 2>/dev/null; then
			printf '  %-10s %s (%s bytes) %s %s: %s\n' note \
				"kvm_pvm guests run with this XCR0" "$(xs xcr0_bytes)" \
				"while CPUID 0xd tells them" "$(xs kvm_cpuid_bytes_max)" \
				"size save areas from xgetbv (issue 10)"
		fi
	fi
fi
printf '  %-10s %s; %s\n' kvm "${kvm_mods:-no KVM module}" "$kvm_dev"
printf '  %-10s %s\n' "trap cost" "$(trap_cost)"
exit 0
