#!/bin/bash
# vmm_start.sh: start-up benchmark. A trivial PVH guest that exits at once (isa-debug-exit)
# under motevm and under QEMU's microvm (KVM), side by side: wall time from process start to
# exit, and the VMM process's peak RSS. Prints a markdown section (bench/run.sh collects it).
set -eu
cd "$(dirname "$0")/.."
B=build
RUNS=${VMM_BENCH_RUNS:-200}
QRUNS=${VMM_BENCH_QEMU_RUNS:-50}
runner=$B/bench/vmm_runner
guest=$B/bench/vmm_exit_guest.elf
cfg=$B/bench/vmm_exit_guest.json
cat >"$cfg" <<JSON
{"boot-source": {"kernel_image_path": "$PWD/$guest"},
 "machine-config": {"vcpu_count": 1, "mem_size_mib": 128}}
JSON

calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }

row() { # label runs command...
	local label=$1 runs=$2
	shift 2
	read -r med p10 p90 rss rssmax ok < <("$runner" "$runs" 43 "$@")
	[ "$ok" -eq "$runs" ] || echo "warning: $label: only $ok of $runs runs exited with 43" >&2
	printf '| %s | %.2f | %.2f | %.2f | %.1f | %.1f | %d |\n' "$label" "$med" "$p10" "$p90" \
		"$(calc "$rss / 1024")" "$(calc "$rssmax / 1024")" "$runs"
	last_med=$med last_rss=$rss
}

echo "## motevm start-up: trivial PVH guest, process start to exit"
echo
echo "One vCPU, 128 MiB, a PVH ELF whose first instructions write to isa-debug-exit;"
echo "wall time from fork to reaped exit and the VMM process's peak RSS (wait4), stdio on"
echo "/dev/null. $RUNS runs of motevm, $QRUNS of QEMU, each after a few warm-up runs."
echo
echo "| VMM | median ms | p10 ms | p90 ms | peak RSS median MiB | peak RSS max MiB | runs |"
echo "|---|---|---|---|---|---|---|"
"$runner" 10 43 $B/motevm --no-api --config-file "$cfg" >/dev/null
row "motevm" "$RUNS" $B/motevm --no-api --config-file "$cfg"
m_med=$last_med m_rss=$last_rss
MOTEVM_SYNC_TEARDOWN=1 row "motevm, synchronous KVM teardown" "$RUNS" \
	$B/motevm --no-api --config-file "$cfg"
s_med=$last_med
if command -v qemu-system-x86_64 >/dev/null; then
	# shellcheck disable=SC2054 # the commas are inside QEMU's own option values
	qemu=(qemu-system-x86_64 -M microvm -accel kvm -m 128 -nodefaults -no-user-config
		-display none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$guest")
	"$runner" 3 43 "$(command -v qemu-system-x86_64)" "${qemu[@]:1}" >/dev/null
	row "QEMU microvm (KVM)" "$QRUNS" "$(command -v qemu-system-x86_64)" "${qemu[@]:1}"
	q_med=$last_med q_rss=$last_rss
	row "QEMU microvm (KVM), -async-teardown" "$QRUNS" "$(command -v qemu-system-x86_64)" \
		"${qemu[@]:1}" -async-teardown
	printf '| ratio QEMU / motevm (first QEMU row) | %.1fx | | | %.1fx | | |\n' \
		"$(calc "$q_med / $m_med")" "$(calc "$q_rss / $m_rss")"
else
	echo "| QEMU microvm (KVM) | not installed | | | | | |"
fi
echo
echo "Where motevm's time goes (medians of 30 runs with \`--level Debug\`, whose logging adds a"
echo "little; µs since motevm's main() started; process start to main() is not included):"
echo
echo "| step done | at µs |"
echo "|---|---|"
for _ in $(seq 30); do
	$B/motevm --no-api --config-file "$cfg" --level Debug 2>&1 >/dev/null </dev/null |
		sed -n 's/.*timeline: \(.*\) at \([0-9]*\) us/\1|\2/p'
done | awk -F'|' '{ if (!($1 in n)) order[++k] = $1; v[$1, ++n[$1]] = $2 }
	END { for (i = 1; i <= k; i++) { s = order[i]; m = n[s]; for (a = 1; a <= m; a++)
		for (b = a + 1; b <= m; b++) if (v[s, b] < v[s, a]) { t = v[s, a]; v[s, a] = v[s, b]; v[s, b] = t }
		printf "| %s | %d |\n", s, v[s, int((m + 1) / 2)] } }'
echo
met() { awk "BEGIN { exit !($1 <= $2) }" && echo "met" || echo "NOT met"; }
m_mib=$(calc "$m_rss / 1024")
echo "Targets: median ≤ 5 ms: $(met "$m_med" 5) ($m_med ms); peak RSS ≤ 4 MiB:" \
	"$(met "$m_mib" 4) ($m_mib MiB)."
echo
echo "Notes: motevm is linked statically (no dynamic loader at start-up). Its set-up adds the"
echo "memory slot before the irqchip (after it, the slot waits ~6 ms for an SRCU grace period"
echo "here). Destroying a VM with an in-kernel irqchip and PIT waits for SRCU grace periods"
echo "too; motevm leaves that to a helper process that holds the VM's last references and"
echo "dies with it (as QEMU's -async-teardown does): the second row shows the exit with the"
echo "teardown inline ($s_med ms median); QEMU's first row pays its teardown inline too."
echo "MOTEVM_SYNC_TEARDOWN=1 is motevm's diagnostic switch for it (docs/motevm.md). Static"
echo "linking saves ~0.2 ms and ~1.1 MiB against a dynamic build (measured once by hand)."
