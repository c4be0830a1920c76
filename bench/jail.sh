#!/bin/bash
# jail.sh: what mote-jailer costs at start-up: process start -> motevm's API socket accepting,
# motevm alone and jailed (a chroot with a copy of motevm, mount namespace, cgroup, uid drop),
# medians of N runs side by side. Needs root (the jailer); no /dev/kvm (the API comes up
# without it). Prints a markdown section (bench/run.sh collects it).
set -eu
cd "$(dirname "$0")/.."
RUNS=${JAIL_BENCH_RUNS:-30}
[ "$(id -u)" -eq 0 ] || { echo "## motevm jailed: start-up cost"; echo; echo "(skipped: needs root)"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp" "$RUNS" >"$tmp/out" <<'PY'
import os, shutil, signal, socket, statistics, subprocess, sys, time
tmp, runs = sys.argv[1], int(sys.argv[2])
vmm = os.path.abspath("build/motevm")
jailer = os.path.abspath("build/mote-jailer")
cpu = next((l.split()[1] for l in open("/proc/mounts")
            if l.split()[2] == "cgroup" and "cpu" in l.split()[3].split(",")), None)

def wait_socket(path, proc):
    while True:
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(path)
            s.close()
            return time.perf_counter()
        except OSError:
            if proc.poll() is not None:
                raise SystemExit("the VMM ended before its socket came up")
            time.sleep(0.0002)

def one(jailed, i):
    base = os.path.join(tmp, "jails")
    if jailed:
        sock = os.path.join(base, "motevm", f"b{i}", "root", "run", "api.sock")
        cmd = [jailer, "--id", f"b{i}", "--exec-file", vmm, "--uid", "65534", "--gid", "65534",
               "--chroot-base-dir", base]
        if cpu:
            cmd += ["--cgroup", "cpu.shares=1024"]
        cmd += ["--", "--api-sock", "/run/api.sock", "--level", "Warning"]
    else:
        sock = os.path.join(tmp, "api.sock")
        cmd = [vmm, "--api-sock", sock, "--level", "Warning"]
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t1 = wait_socket(sock, p)
    p.send_signal(signal.SIGTERM)
    p.wait()
    if jailed:
        shutil.rmtree(os.path.join(base, "motevm", f"b{i}"), ignore_errors=True)
        if cpu:
            try:
                os.rmdir(os.path.join(cpu, "motevm", f"b{i}"))
            except OSError:
                pass
    elif os.path.exists(sock):
        os.unlink(sock)
    return (t1 - t0) * 1000

plain = [one(False, i) for i in range(runs)]
jail = [one(True, i) for i in range(runs)]
if cpu:
    try:
        os.rmdir(os.path.join(cpu, "motevm"))
    except OSError:
        pass
def q(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p * len(v)))]
print(statistics.median(plain), q(plain, 0.9), statistics.median(jail), q(jail, 0.9),
      "yes" if cpu else "no")
PY
read -r p_med p_90 j_med j_90 cg <"$tmp/out"
size=$(stat -c %s build/motevm)
echo "## motevm jailed: start-up cost (mote-jailer)"
echo
echo "Process start to motevm's API socket accepting a connection, motevm alone and under"
echo "mote-jailer (a copy of the $((size / 1024)) KiB static binary into a new chroot, /dev"
echo "nodes, limits, $([ "$cg" = yes ] && echo "a cgroup v1 (cpu.shares), " || echo "no cgroup (none writable), ")a mount namespace and pivot_root,"
echo "the uid drop, exec). $RUNS runs of each, one after the other; no /dev/kvm needed."
echo
echo "| start-up | median | p90 | ratio |"
echo "|---|---|---|---|"
printf '| motevm alone | %.2f ms | %.2f ms | 1.00 |\n' "$p_med" "$p_90"
printf '| motevm jailed | %.2f ms | %.2f ms | %.2f× |\n' "$j_med" "$j_90" \
	"$(awk "BEGIN { print $j_med / $p_med }")"
echo
echo "Host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) vCPUs"
echo "(no VM runs: the figures are host system calls, not VM exits)."
