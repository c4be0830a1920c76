#!/usr/bin/env python3
"""ext4_htree.py: the names of tests/e2e/ext4_htree.sh's big directories, made the same way on
the host and in Mote.
  make DIR N        create N empty files in DIR (on the host, for mkfs.ext4 -d)
  add DIR N EXTRA   in Mote: create files of names N..N+EXTRA-1 in DIR; "C added K",
                    "C seconds S" (the time it took)
  check DIR N [EXTRA]  in Mote: stat every name (each lookup goes through the index) and a
                    few absent ones; prints "C found K of N", "C absent: ..."
  list N [EXTRA]    on the host: every name, one a line
  count DIR NAME... in Mote: statvfs (the kernel logs its block cache counts), then for
                    each NAME stat DIR/NAME (present or not) and statvfs again: the
                    blocks each lookup reads
"""
import os
import sys
import time


def name_of(i):
    """The i-th name: short and long, ASCII and UTF-8."""
    k = i % 7
    if k == 0:
        return "f%d" % i
    if k == 1:
        return "file number %d with a longer name" % i
    if k == 2:
        return "ünïcödé-%d-日本語" % i
    if k == 3:
        return "%x.%s" % (i * 2654435761 % 2**32, "x" * (i % 200))
    if k == 4:
        return "n%06d" % i
    if k == 5:
        return "%d" % i
    return "Élan_%d_%s" % (i, "é" * (i % 60))


def names(n, extra=0):
    """Names 0..n-1, the 26 1-byte names, then names n..n+extra-1 (added in Mote)."""
    return ([name_of(i) for i in range(n)] + list("abcdefghijklmnopqrstuvwxyz") +
            [name_of(i) for i in range(n, n + extra)])


ABSENT = ["absent", "f-1", "n999999", "ünïcödé-absent", "z" * 255, "file number"]


def main():
    cmd, d = sys.argv[1], sys.argv[2]
    if cmd == "make":
        for name in names(int(sys.argv[3])):
            open(os.path.join(d, name), "w").close()
    elif cmd == "list":
        for name in names(int(d), int(sys.argv[3]) if len(sys.argv) > 3 else 0):
            print(name)
    elif cmd == "add":
        n, extra, added = int(sys.argv[3]), int(sys.argv[4]), 0
        start = time.monotonic()
        for i in range(n, n + extra):
            try:
                open(os.path.join(d, name_of(i)), "w").close()
                added += 1
            except OSError as e:
                print("C cannot add %s: %s" % (name_of(i), e.strerror))
                break
        print("C added %d" % added)
        print("C seconds %.1f" % (time.monotonic() - start))
    elif cmd == "check":
        want = names(int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 0)
        found, missing = 0, []
        for name in want:
            try:
                os.stat(os.path.join(d, name))
                found += 1
            except OSError as e:
                missing.append("%s (%s)" % (name, e.strerror))
        print("C found %d of %d" % (found, len(want)))
        for m in missing[:5]:
            print("C missing: %s" % m)
        res = []
        for name in ABSENT:
            try:
                os.stat(os.path.join(d, name))
                res.append("found")
            except OSError as e:
                res.append(e.strerror)
        print("C absent: %s" % ", ".join(sorted(set(res))))
    elif cmd == "count":
        os.statvfs(d)
        for name in sys.argv[3:]:
            try:
                os.stat(os.path.join(d, name))
            except OSError:
                pass
            os.statvfs(d)
    return 0


if __name__ == "__main__":
    sys.exit(main())
