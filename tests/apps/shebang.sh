#!/bin/sh
# shebang.sh: a "#!" script run directly by the harnesses: the kernel must find /bin/sh from the
# first line and hand it the script and its arguments. Builtins only (no process creation yet).
echo "shebang: /bin/sh runs the script"
echo "shebang: $# arguments: [$1] [$2]"
if [ "$#" -ne 2 ] || [ "$1" != one ] || [ "$2" != "two words" ]; then
	echo "FAIL the arguments did not arrive intact"
	exit 1
fi
case $0 in
*/shebang.sh) echo "ok \$0 names the script" ;;
*) echo "FAIL \$0 does not name the script" && exit 1 ;;
esac
n=0
while [ $n -lt 1000 ]; do n=$((n + 1)); done
echo "ok the shell counted to $n"
