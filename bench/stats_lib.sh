# stats_lib.sh: the figures the benchmark scripts print (sourced).
# shellcheck shell=bash

# median: of the numbers on stdin, one a line ("n/a" if none)
median() { sort -g | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "n/a" }'; }

# ratio A B: A / B with two decimals ("n/a" unless both are positive numbers)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'; }
