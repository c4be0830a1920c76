#!/bin/bash
# mote_runtimes.sh: the runtime recipes (tools/mote/runtimes.c, issue 15): python3, perl, lua,
# node and java run real programs in Mote with no --add and print what they print natively —
# Python's json, sqlite3, decimal and zoneinfo, a script by a relative path and a #! script;
# Perl's POSIX, List::Util and Data::Dumper; Lua; node -e; java -version, java -cp DIR and
# java -jar of a jar built here with javac and jar (each runtime skipped where the host lacks
# it). Then, without booting: what the recipes and the command line add (mote build -v and
# inspect), --no-runtime, --no-auto-add, --runtime-site, the machine a recipe asks for, and
# the runtime's answer kept in the cache. PLATFORM=motevm (default) or qemu
# (mote_runtimes_qemu.sh), as debian_programs.sh.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
[ -x build/mote ] || skip "build/mote not built"
for p in /usr/bin/python3 /usr/bin/perl /usr/bin/lua5.4; do
	[ -x $p ] || skip "$p missing (tools/deps.sh installs it)"
done
# names are looked up as the host's own $PATH would (not a user's shims: pyenv's python3 is a
# bash script)
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
TEST=mote_runtimes
. tests/e2e/programs_lib.sh
ROOT=$PWD
MOTE=("$ROOT/${RUN[0]}" "${RUN[@]:1}")

# same_in DIR NAME PROGRAM ARGS...: as same, but both runs start in DIR (relative arguments)
same_in() {
	local dir=$1 name=$2 nat out nat_rc rc
	shift 2
	nat=$(cd "$dir" && env -i "$@" 2>&1 </dev/null)
	nat_rc=$?
	out=$(cd "$dir" && timeout 300 "${MOTE[@]}" "$@" 2>"$T/err" </dev/null)
	rc=$?
	out+=$(grep -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+ \[' "$T/err")
	if [ "$rc" = "$nat_rc" ] && [ "$out" = "$nat" ]; then
		ok "$name: same output and status as natively"
	else
		not_ok "$name: differs from the native run (status $rc, native $nat_rc)"
		diff -u --label native --label mote <(echo "$nat") <(echo "$out") | head -n 20 |
			sed 's/^/      | /'
	fi
}

D=$T/data
mkdir -p "$D/py" "$D/java/classes" "$D/java/src"

same "python3: json, sqlite3, decimal, zoneinfo (no --add)" python3 -c 'import json, sqlite3, decimal, zoneinfo, datetime
db = sqlite3.connect(":memory:")
db.execute("create table t (x)")
db.executemany("insert into t values (?)", [(i,) for i in range(10)])
print(json.dumps({"sum": db.execute("select sum(x * x) from t").fetchone()[0], "v": sqlite3.sqlite_version}))
print(decimal.Decimal(1) / decimal.Decimal(7), decimal.Decimal("1.10") + decimal.Decimal("2.20"))
print(datetime.datetime(2024, 7, 1, 12, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")).utcoffset())'

cat >"$D/py/count.py" <<'PY'
import collections, os, sys
words = open(sys.argv[1]).read().split()
print(os.getcwd() == os.path.dirname(os.path.abspath(__file__)), sys.argv[1:])
print(collections.Counter(words).most_common(2))
PY
echo "b a b c b a" >"$D/py/words.txt"
same_in "$D/py" "python3 count.py words.txt (relative paths: the program starts there)" \
	python3 count.py words.txt
printf '#!/usr/bin/env python3\nimport sys, textwrap\nprint(textwrap.shorten("a #! script run by env and python3 in mote", 30), sys.argv[1:])\n' \
	>"$D/py/hello.py"
chmod +x "$D/py/hello.py"
same "a #!/usr/bin/env python3 script" "$D/py/hello.py" one two

# a --with program gets its runtime's recipe too: a shell script that runs python3
out=$(timeout 300 "${MOTE[@]}" --with /usr/bin/python3 /bin/sh -c \
	'python3 -c "import json, decimal; print(json.dumps([1]), decimal.Decimal(1) / 4)"' 2>&1)
expect_eq "--with python3: its runtime's files come too (a shell runs it)" "[1] 0.25" "$out"

# a program linking OpenSSL gets the host's CA certificates (tools/mote/libdata.c)
same "python3 ssl: the default context loads the CA certificates" python3 -c 'import ssl
print(ssl.create_default_context().cert_store_stats(), ssl.get_default_verify_paths().cafile)'

same "perl: POSIX, List::Util, Data::Dumper" perl -MPOSIX=floor,strftime \
	-MList::Util=sum,max,shuffle -MData::Dumper -e '$Data::Dumper::Sortkeys = 1;
print sum(1 .. 10), " ", max(3, 9, 2), " ", floor(-2.5), " ", strftime("%Y-%m-%d", gmtime(86400 * 365)), "\n";
print Dumper({ a => [1, 2], b => { c => "d" } });'

same "lua -e" lua -e 'local t = {} for w in ("b a c"):gmatch("%a") do t[#t + 1] = w end
table.sort(t) print(table.concat(t, ","), string.format("%5.2f", math.pi), _VERSION)'

if [ -x /usr/bin/node ]; then
	same "node -e" node -e 'const c = require("crypto"), p = require("path");
console.log(6 * 7, [3, 1, 2].sort().join(","), p.join("/a", "b", "../c"), JSON.stringify({ a: [1, 2] }));
console.log(c.createHash("sha256").update("mote").digest("hex").slice(0, 16), typeof require("zlib").gzipSync)'
else
	echo "     (no /usr/bin/node: node part skipped)"
fi

if command -v java >/dev/null && command -v javac >/dev/null && command -v jar >/dev/null; then
	cat >"$D/java/src/Hello.java" <<'JAVA'
public class Hello {
	public static void main(String[] a) {
		System.out.println("hello " + (6 * 7) + " " + String.join(",", a));
	}
}
JAVA
	cat >"$D/java/src/App.java" <<'JAVA'
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

public class App {
	public static void main(String[] a) throws Exception {
		var m = new TreeMap<String, Integer>();
		for (String w : "the quick fox and the lazy dog and the end".split(" "))
			m.merge(w, 1, Integer::sum);
		System.out.println(m);
		System.out.println(IntStream.rangeClosed(1, 10).map(i -> i * i).sum());
		var pool = Executors.newFixedThreadPool(2);
		System.out.println(pool.submit(() -> 6 * 7).get() + " " + String.join(",", a));
		pool.shutdown();
		System.out.println(java.time.LocalDate.of(2024, 2, 29).plusYears(1));
	}
}
JAVA
	if javac -d "$D/java/classes" "$D/java/src/Hello.java" "$D/java/src/App.java" &&
		jar --create --file "$D/java/app.jar" --main-class App -C "$D/java/classes" .; then
		same "java -version" java -version
		same "java -cp DIR Hello" java -cp "$D/java/classes" Hello a b
		same_in "$D/java" "java -jar app.jar (a jar built here, named relatively)" \
			java -jar app.jar x y
	else
		not_ok "javac and jar: could not build the test's classes and jar"
	fi
else
	echo "     (no java, javac and jar: java part skipped)"
fi

# Without booting: what goes into the image (listings are long: only a matching line is shown).
in_list() {
	if grep -Eq -- "$2" <<<"$3"; then ok "$1"; else not_ok "$1: no line matches /$2/"; fi
}
not_in_list() {
	if grep -Eq -- "$2" <<<"$3"; then not_ok "$1: $(grep -Em1 -- "$2" <<<"$3")"; else ok "$1"; fi
}
B=(build/mote build)
out=$("${B[@]}" -v python3 -c pass -o "$T/py.img" 2>&1 >/dev/null)
in_list "build -v names the recipe and what it added" "runtime python3: [0-9]+ entries" "$out"
in_list "... the standard library, from the interpreter's own answer" \
	"from $(python3 -I -S -c 'import sysconfig; print(sysconfig.get_path("stdlib"))')$" "$out"
list=$(build/mote inspect "$T/py.img")
in_list "... json is in the image" "/json/__init__.py$" "$list"
in_list "... and the zone files" " /usr/share/zoneinfo/Europe/Paris$" "$list"
not_in_list "... not the static library for embedding (LIBPL)" "/config-3[^/]*/" "$list"
in_list "python3: 128 MiB is enough (a 50 MiB image)" "^machine: +1 vCPU, 128 MiB" "$list"
out=$("${B[@]}" -v python3 -c pass -o "$T/py.img" 2>&1 >/dev/null)
in_list "the runtime's answer is kept in the cache" "its answer .* from the cache" "$out"
out=$("${B[@]}" -v --no-runtime python3 -c pass -o "$T/py0.img" 2>&1 >/dev/null)
not_in_list "--no-runtime: no recipe" "runtime python3" "$out"
not_in_list "... no standard library" "/json/" "$(build/mote inspect "$T/py0.img")"
out=$(timeout 300 "${RUN[@]}" --no-runtime python3 -c 'import json' 2>&1 </dev/null)
in_list "... so python3 cannot import json in Mote" "No module named|platform independent" "$out"
site=/usr/lib/python3/dist-packages
if [ -d $site ]; then
	build/mote build --runtime-site python3 -o "$T/site.img" >/dev/null 2>&1
	in_list "--runtime-site: the third-party packages ($site) too" " $site/" \
		"$(build/mote inspect "$T/site.img")"
	out=$("${B[@]}" -v python3 -o "$T/py.img" 2>&1 >/dev/null)
	in_list "... without it, in only when small (16 MiB)" "third-party: $site$|left out: $site$" \
		"$out"
fi

(cd "$D/py" && "$ROOT/build/mote" build python3 count.py words.txt -o "$T/auto.img" >/dev/null)
list=$(build/mote inspect "$T/auto.img")
in_list "a script named on the command line is added" " $D/py/count.py$" "$list"
in_list "... and a file" " $D/py/words.txt$" "$list"
in_list "... and the program starts in the current directory (relative arguments)" \
	"^cmdline: +--cwd=$D/py " "$list"
(cd "$D/py" && "$ROOT/build/mote" build --no-auto-add python3 count.py words.txt \
	-o "$T/noauto.img" >/dev/null)
not_in_list "--no-auto-add: neither the file nor the start directory" " $D/py/words.txt$|--cwd" \
	"$(build/mote inspect "$T/noauto.img")"
out=$(cd "$D/py" && timeout 300 "${MOTE[@]}" --env "D=$D/py" /bin/busybox sh -c \
	'[ -d "$D" ] && echo "$D is there"; pwd' 2>&1 </dev/null)
expect_eq "the current directory's path exists in the guest; the program starts in /" \
	"$D/py is there
/" "$out"
build/mote build /bin/busybox ls / /etc /usr/lib -o "$T/ls.img" >/dev/null 2>&1
not_in_list "/, /etc and /usr/lib named: not added whole (the system's own directories)" \
	" /etc/debian_version$| /usr/lib/os-release$" "$(build/mote inspect "$T/ls.img")"

if command -v java >/dev/null; then
	"${B[@]}" java -version -o "$T/java.img" >/dev/null 2>&1
	list=$(build/mote inspect "$T/java.img")
	in_list "java: the recipe's default machine" "^machine: +1 vCPU, 512 MiB" "$list"
	in_list "... JAVA_HOME's modules" "/lib/modules$" "$list"
	in_list "... and libjvm.so" "/lib/server/libjvm.so$" "$list"
	not_in_list "... not jmods, src.zip or the X11 libraries" "/jmods/|src.zip$|libawt_xawt" \
		"$list"
	jvmcfg=$(readlink -f "$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")/lib/jvm.cfg")
	in_list "... and the configuration its symlinks point to ($jvmcfg)" " $jvmcfg$" "$list"
fi
finish
