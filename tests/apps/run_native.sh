#!/bin/bash
# run_native.sh: runs every tests/apps program (static and dynamic builds) and "#!" script on the
# host, each from a fresh empty working directory with a fixed environment and stdin from
# /dev/null. Each must end with its expected status (tests/apps/apps.sh, 0 for all but one), and
# a program's two builds must print the same. The output, stdout and stderr together, is kept as
# build/tests/apps/NAME.KIND.expected with the status in NAME.KIND.status: tests/apps/run_mote.sh
# compares runs inside Mote against them. Prints ok/FAIL per program; exits 0 only if all pass.
cd "$(dirname "$0")/../.." || exit 1
# shellcheck disable=SC1091 # (sourced by its path from the top of the tree)
. tests/apps/apps.sh
OUT=build/tests/apps
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mote-apps-native.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
fails=0 runs=0

# run NAME KIND PATH: runs it natively; writes the .expected and .status files; 0 if as expected.
run() {
	local name=$1 kind=$2 path=$3 dir="$WORK/$1.$2" want status
	local out="$OUT/$name.$kind.expected"
	app_args "$name"
	want=$(app_status "$name")
	mkdir "$dir"
	{ # (the outer 2>/dev/null keeps bash's "Segmentation fault" note out of our log)
		(
			cd "$dir" || exit 125
			# nothing inherited beyond stdin, stdout and stderr
			for fd in "/proc/$BASHPID/fd/"*; do
				fd=${fd##*/}
				[ "$fd" -gt 2 ] && [ "$fd" -ne 255 ] && eval "exec $fd>&-"
			done
			exec env -i "${APP_ENV[@]}" timeout --foreground 120 "$path" "${APP_ARGS[@]}"
		) </dev/null >"$out" 2>&1
		status=$?
	} 2>/dev/null
	echo "$status" >"$OUT/$name.$kind.status"
	if [ "$status" -ne "$want" ]; then
		echo "FAIL $name.$kind: exit status $status, want $want"
		grep -v '^ok ' "$out" | head -n 20 | sed 's/^/      | /'
		return 1
	fi
	if grep -q '^FAIL' "$out"; then
		echo "FAIL $name.$kind: printed FAIL"
		grep '^FAIL' "$out" | head -n 20 | sed 's/^/      | /'
		return 1
	fi
	return 0
}

while read -r name kind path; do
	runs=$((runs + 1))
	if [ ! -x "$path" ]; then
		echo "FAIL $name.$kind: $path is not built (is it in mk/apps.mk?)"
		fails=$((fails + 1))
		continue
	fi
	if ! run "$name" "$kind" "$path"; then
		fails=$((fails + 1))
		continue
	fi
	if [ "$kind" = dyn ] && ! cmp -s "$OUT/$name.static.expected" "$OUT/$name.dyn.expected"; then
		echo "FAIL $name: the static and dynamic builds print differently"
		diff -u "$OUT/$name.static.expected" "$OUT/$name.dyn.expected" | head -n 30
		fails=$((fails + 1))
		continue
	fi
	echo "ok   $name.$kind ($(grep -c '^ok ' "$OUT/$name.$kind.expected") checks)"
done < <(app_list)

echo "$((runs - fails))/$runs native runs passed"
[ "$runs" -gt 0 ] && [ "$fails" -eq 0 ]
