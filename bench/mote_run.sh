#!/bin/bash
# mote_run.sh: `mote run` end to end — a static hello, warm image cache, process start to exit —
# side by side with motevm booting the same image directly, QEMU microvm (KVM) booting it, and
# the host running the program natively. Prints a markdown section (bench/run.sh collects it).
set -eu
cd "$(dirname "$0")/.."
B=build
RUNS=${MOTE_BENCH_RUNS:-100}
QRUNS=${MOTE_BENCH_QEMU_RUNS:-20}
runner=$B/bench/vmm_runner
hello=$B/bench/hello-static
export MOTE_CACHE_DIR=$B/bench/mote-run-cache

calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }

row() { # label runs expected-status command...
	local label=$1 runs=$2 want=$3
	shift 3
	read -r med p10 p90 rss _ ok < <("$runner" "$runs" "$want" "$@")
	[ "$ok" -eq "$runs" ] && okcol="$ok/$runs" || okcol="**$ok/$runs**"
	printf '| %s | %.2f | %.2f | %.2f | %.1f | %s |\n' "$label" "$med" "$p10" "$p90" \
		"$(calc "$rss / 1024")" "$okcol"
	last_med=$med
}

# the image mote builds for hello, and its command line, for the direct rows
if ! out=$($B/mote run --no-fallback "$hello" 2>&1) || [ "$out" != hello ]; then
	echo "## mote run: a static hello, process start to exit"
	echo
	echo "Not measured: \`mote run $hello\` does not print hello here:"
	echo
	printf '%s\n' "$out" | head -n 5 | sed 's/^/    /'
	exit 0
fi
img=$B/bench/hello.img
$B/mote build "$hello" -o "$img" >/dev/null
cmdline=$($B/mote inspect "$img" | sed -n 's/^cmdline:  //p')
cfg=$B/bench/mote_hello.json
printf '{"boot-source": {"kernel_image_path": "%s", "initrd_path": "%s", "boot_args": "%s"},
 "machine-config": {"vcpu_count": 1, "mem_size_mib": 128}}\n' \
	"$PWD/$B/kernel/mote.elf" "$PWD/$img" "$cmdline" >"$cfg"

echo "## mote run: a static hello, process start to exit"
echo
echo "\`mote run $hello\` with the image already in the cache (1 vCPU, 128 MiB): wall time"
echo "from fork to reaped exit and peak RSS of the launched process tree's leader, stdio on"
echo "/dev/null; $RUNS runs ($QRUNS for QEMU) after warm-up. The direct rows boot the same"
echo "image without mote."
echo
echo "| what | median ms | p10 ms | p90 ms | peak RSS MiB | exited as expected |"
echo "|---|---|---|---|---|---|"
"$runner" 5 0 "$hello" >/dev/null
row "host, native process" "$RUNS" 0 "$hello"
native=$last_med
"$runner" 5 0 $B/mote run --no-fallback "$hello" >/dev/null
row "**mote run** (motevm)" "$RUNS" 0 $B/mote run --no-fallback "$hello"
mote=$last_med
row "motevm, same image, no mote" "$RUNS" 0 $B/motevm --no-api --level Warning --config-file "$cfg"
direct=$last_med
qemu_row=""
if command -v qemu-system-x86_64 >/dev/null && [ -w /dev/kvm ]; then
	row "QEMU microvm (KVM), same image" "$QRUNS" 1 "$(command -v qemu-system-x86_64)" \
		-M microvm -accel kvm -cpu host,-arch-capabilities -m 128 -nodefaults -no-user-config -display none \
		-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
		-kernel $B/kernel/mote.elf -initrd "$img" -append "$cmdline"
	qemu_row=$last_med
fi
echo
echo "mote run costs $(calc "$mote / $native")x a native process start and adds" \
	"$(calc "$mote - $direct") ms to booting the image directly." \
	"${qemu_row:+QEMU microvm takes $(calc "$qemu_row / $mote")x as long as mote run.}"
echo "Target: <= 10 ms end to end: $(awk -v m="$mote" 'BEGIN { print (m <= 10) ? "met" : "not met" }')" \
	"($(calc "$mote") ms). Anchors: Unikraft on Firecracker 2.74 ms total boot, OSv 4.4 ms."
echo
echo "Where a warm \`mote run --verbose\` spends its time (one run):"
echo
echo '```'
$B/mote run --no-fallback --verbose "$hello" 2>&1 >/dev/null | sed 's/^/  /'
echo '```'
