#!/bin/bash
# vmm_api.sh: motevm's REST API: process start -> API socket accepting, PUT/GET round-trip
# latency on one keep-alive connection, and InstanceStart -> the guest's first instruction.
# Prints a markdown section (bench/run.sh collects it).
set -eu
cd "$(dirname "$0")/.."
B=build
RUNS=${VMM_API_BENCH_RUNS:-200}
REQS=${VMM_API_BENCH_REQUESTS:-10000}
STARTS=${VMM_API_BENCH_STARTS:-50}
runner=$B/bench/vmm_api_runner
guest=$PWD/$B/bench/vmm_exit_guest.elf
met() { awk "BEGIN { exit !($1 <= $2) }" && echo "met" || echo "NOT met"; }

read -r s_med s_p10 s_p90 s_cpu < <("$runner" socket $B/motevm "$RUNS")
read -r p_med p_99 p_max p_bad g_med g_99 g_max g_bad < <("$runner" put $B/motevm "$REQS")
read -r i_med i_p90 f_med f_p90 < <("$runner" start $B/motevm "$guest" "$STARTS")

echo "## motevm REST API: socket start-up, request latency, InstanceStart"
echo
echo "The API on a Unix socket (HTTP/1.1, one keep-alive connection, curl-like requests),"
echo "motevm logging at its default Info level to a file. Client-side times."
echo
echo "| measure | median | p10 / p90 / p99 | runs | target |"
echo "|---|---|---|---|---|"
printf '| process start -> API socket accepting (wall) | %.2f ms | %.2f / %.2f ms (p10/p90) | %d | ≤ 2 ms: %s |\n' \
	"$s_med" "$s_p10" "$s_p90" "$RUNS" "$(met "$s_med" 2)"
printf '| CPU time motevm had used then (exec included) | %.3f ms | | %d | Firecracker: ≤ 8 CPU ms |\n' \
	"$s_cpu" "$RUNS"
printf '| PUT /machine-config round trip | %.0f µs | p99 %.0f µs, max %.0f µs | %d | p99 ≤ 200 µs: %s |\n' \
	"$p_med" "$p_99" "$p_max" "$REQS" "$(met "$p_99" 200)"
printf '| GET / round trip | %.0f µs | p99 %.0f µs, max %.0f µs | %d | |\n' \
	"$g_med" "$g_99" "$g_max" "$REQS"
printf '| PUT /actions InstanceStart round trip | %.2f ms | p90 %.2f ms | %d | |\n' \
	"$(awk "BEGIN { print $i_med / 1000 }")" "$(awk "BEGIN { print $i_p90 / 1000 }")" "$STARTS"
printf '| InstanceStart received -> first guest instruction | %.2f ms | p90 %.2f ms | %d | |\n' \
	"$(awk "BEGIN { print $f_med / 1000 }")" "$(awk "BEGIN { print $f_p90 / 1000 }")" "$STARTS"
[ "$p_bad" -eq 0 ] && [ "$g_bad" -eq 0 ] || echo "warning: $p_bad PUT and $g_bad GET answers were wrong" >&2
echo
echo "Notes: the socket time runs from fork to the first successful connect(); the CPU time"
echo "is motevm's api_server.process_startup_time_cpu_us metric (process CPU clock, which"
echo "counts from the exec). A request crosses two threads, as in Firecracker: the API thread"
echo "parses HTTP and hands it to the VMM thread (eventfd + condition variable), which answers"
echo "and logs two Info lines. The first guest instruction is seen as its isa-debug-exit"
echo "write reaching the event loop (motevm's Debug timeline: \"InstanceStart\" to \"VM stop"
echo "requested\"), so it includes one exit; VM creation dominates it (see the start-up"
echo "timeline above)."
