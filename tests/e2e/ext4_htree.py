#!/usr/bin/env python3
"""ext4_htree.py: the names of tests/e2e/ext4_htree.sh's big directories, made the same way on
the host and in Mote.
  make DIR N        create N empty files in DIR (on the host, for mkfs.ext4 -d)
  check DIR N       in Mote: stat every one of the N names (each lookup goes through the
                    index) and a few absent ones; prints "C found K of N", "C absent: ..."
  count DIR NAME... in Mote: statvfs (the kernel logs its block cache counts), then for
                    each NAME stat DIR/NAME (present or not) and statvfs again: the
                    blocks each lookup reads
"""
import os
import sys


def names(n):
    """n distinct names: short and long, ASCII and UTF-8, one byte."""
    out = []
    for i in range(n):
        k = i % 7
        if k == 0:
            out.append("f%d" % i)
        elif k == 1:
            out.append("file number %d with a longer name" % i)
        elif k == 2:
            out.append("ünïcödé-%d-日本語" % i)
        elif k == 3:
            out.append("%x.%s" % (i * 2654435761 % 2**32, "x" * (i % 200)))
        elif k == 4:
            out.append("n%06d" % i)
        elif k == 5:
            out.append("%d" % i)
        else:
            out.append("Élan_%d_%s" % (i, "é" * (i % 60)))
    for c in "abcdefghijklmnopqrstuvwxyz":  # 1-byte names
        out.append(c)
    return out


ABSENT = ["absent", "f-1", "n999999", "ünïcödé-absent", "z" * 255, "file number"]


def main():
    cmd, d = sys.argv[1], sys.argv[2]
    if cmd == "make":
        for name in names(int(sys.argv[3])):
            open(os.path.join(d, name), "w").close()
    elif cmd == "check":
        want = names(int(sys.argv[3]))
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
