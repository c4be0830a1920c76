#!/usr/bin/env python3
"""ext4_xattr.py: the two sides of tests/e2e/ext4_xattr.sh.

Listings are one line a file and attribute, "PATH NAME=0xHEX" (PATH relative to the tree's top),
sorted, so that any two sides compare with cmp. Commands:
  dump DIR                  the listing of DIR's tree (in Mote, and on the host)
  getfattr                  the listing from `getfattr -R -d -m - -e hex .` on stdin
  image IMG                 the listing of ext4 image IMG's top directories, read by debugfs
                            (ea_list for the names, ea_get for each value)
  change DIR BIG BS [--errors] [--trusted]
                            set, replace and remove attributes in the inode and the block, make
                            new files with some, unlink one (then the listing, as dump);
                            --errors: also the calls that must fail (printed "C what: ERRNO");
                            --trusted: a trusted.* one too (the host side needs root)
  first DIR                 a file with two attributes (one for the inode, one for a block)
  ro DIR                    on a read-only mount: changes fail with EROFS, reads work
  share IMG BLOCK BS        raise the reference count of attribute block BLOCK of IMG to 2 (its
                            checksum set again with metadata_csum), for a second inode to share
In Mote, listings are printed with "X " before each line.
"""
import errno
import os
import re
import struct
import subprocess
import sys
import tempfile


def listing(top):
    lines = []
    for path, dirs, files in os.walk(top):
        for name in dirs + files:
            p = os.path.join(path, name)
            if os.path.islink(p):
                continue
            rel = os.path.relpath(p, top)
            for a in os.listxattr(p, follow_symlinks=False):
                v = os.getxattr(p, a, follow_symlinks=False)
                lines.append("%s %s=0x%s" % (rel, a, v.hex()))
    return sorted(lines)


def from_getfattr(text):
    lines, cur = [], None
    for line in text.splitlines():
        if line.startswith("# file: "):
            cur = line[len("# file: "):]
            cur = cur[2:] if cur.startswith("./") else cur
        elif line and cur is not None:
            name, _, val = line.partition("=")
            lines.append("%s %s=%s" % (cur, name, val if val else "0x"))
    return sorted(lines)


def debugfs(img, cmds):
    with tempfile.NamedTemporaryFile("w", suffix=".cmds") as f:
        f.write("\n".join(cmds) + "\n")
        f.flush()
        return subprocess.run(["debugfs", "-f", f.name, img], capture_output=True,
                              text=True).stdout


def from_image(img):
    names = []
    for line in debugfs(img, ["ls -p /"]).splitlines():
        fields = line.split("/")
        if len(fields) >= 6 and fields[5] not in (".", "..", "lost+found", ""):
            names.append(fields[5])
    attrs = {}
    for n in names:
        out = debugfs(img, ["ea_list /" + n])
        attrs[n] = re.findall(r"^  (\S+) \(\d+\)", out, re.M)
    lines = []
    with tempfile.TemporaryDirectory() as d:
        cmds, where = [], []
        for n in names:
            for a in attrs[n]:
                out = os.path.join(d, str(len(where)))
                cmds.append("ea_get -f %s /%s %s" % (out, n, a))
                where.append((n, a, out))
        debugfs(img, cmds)
        for n, a, out in where:
            with open(out, "rb") as f:
                lines.append("%s %s=0x%s" % (n, a, f.read().hex()))
    return sorted(lines)


def attempt(what, fn):
    try:
        fn()
        print("C %s: ok" % what)
    except OSError as e:
        name = errno.errorcode[e.errno]
        print("C %s: %s" % (what, "EOPNOTSUPP" if name == "ENOTSUP" else name))


def change(top, big, bs, errors, trusted):
    def p(n):
        return os.path.join(top, n)

    # in the inode
    os.removexattr(p("f_small"), "user.empty")
    os.setxattr(p("f_small"), "user.new", b"new in the inode")
    os.setxattr(p("f_small"), "user.small", b"replaced", os.XATTR_REPLACE)
    # in the block
    os.setxattr(p("f_big"), "user.big", b"B" * (big // 2), os.XATTR_REPLACE)
    os.setxattr(p("f_big"), "user.more", b"more")
    os.removexattr(p("f_many"), "user.attr05")
    os.setxattr(p("f_many"), "user.attr_new", b"new in the block")
    os.setxattr(p("f_many"), "user.attr01", b"replaced 01", os.XATTR_REPLACE)
    os.setxattr(p("d"), "user.dir", b"replaced on a directory")
    # a block two inodes share is copied for the one that changes
    os.setxattr(p("f_shared2"), "user.mine", b"m" * (bs // 20))  # too large for the inode
    # the block freed: its attributes removed, or its file
    for a in os.listxattr(p("f_rmblock")):
        os.removexattr(p("f_rmblock"), a)
    os.unlink(p("f_gone"))
    # new files
    with open(p("f_new"), "w") as f:
        f.write("new\n")
        os.setxattr(f.fileno(), "user.x", b"by descriptor")
    os.setxattr(p("f_new"), "user.y", b"Y" * big)
    if trusted:
        os.setxattr(p("f_new"), "trusted.t", b"trusted too")
    os.mkdir(p("d_new"))
    os.setxattr(p("d_new"), "user.z", b"zzz")
    if not errors:
        return
    os.symlink("f_small", p("l_new"))
    attempt("create existing", lambda: os.setxattr(p("f_small"), "user.new", b"x",
                                                   os.XATTR_CREATE))
    attempt("replace missing", lambda: os.setxattr(p("f_small"), "user.nothere", b"x",
                                                   os.XATTR_REPLACE))
    attempt("remove missing", lambda: os.removexattr(p("f_many"), "user.attr05"))
    attempt("get missing", lambda: os.getxattr(p("f_many"), "user.attr05"))
    attempt("too large", lambda: os.setxattr(p("f_small"), "user.huge", b"h" * bs))
    attempt("system.*", lambda: os.setxattr(p("f_small"), "system.foo", b"x"))
    attempt("symlink user.*", lambda: os.setxattr(p("l_new"), "user.x", b"x",
                                                  follow_symlinks=False))
    os.unlink(p("l_new"))


def first(top):
    p = os.path.join(top, "f")
    with open(p, "w") as f:
        f.write("f\n")
    os.setxattr(p, "user.a", b"a")
    os.setxattr(p, "user.b", b"b" * 2000)


def ro(top):
    p = os.path.join(top, "f_small")
    attempt("ro set", lambda: os.setxattr(p, "user.ro", b"x"))
    attempt("ro remove", lambda: os.removexattr(p, "user.small"))
    attempt("ro get", lambda: os.getxattr(p, "user.small"))
    attempt("ro list", lambda: os.listxattr(p))


def crc32c(crc, data):
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    return crc


def share(img, blk, bs):
    with open(img, "r+b") as f:
        f.seek(1024)
        sb = f.read(1024)
        f.seek(blk * bs)
        b = bytearray(f.read(bs))
        assert struct.unpack_from("<I", b, 0)[0] == 0xEA020000, "not an attribute block"
        struct.pack_into("<I", b, 4, struct.unpack_from("<I", b, 4)[0] + 1)
        if struct.unpack_from("<I", sb, 0x64)[0] & 0x400:  # metadata_csum
            incompat = struct.unpack_from("<I", sb, 0x60)[0]
            seed = (struct.unpack_from("<I", sb, 0x270)[0] if incompat & 0x2000 else
                    crc32c(0xFFFFFFFF, sb[0x68:0x78]))
            struct.pack_into("<I", b, 16, 0)
            c = crc32c(crc32c(seed, struct.pack("<Q", blk)), b)
            struct.pack_into("<I", b, 16, c)
        f.seek(blk * bs)
        f.write(b)


def main(argv):
    cmd = argv[1]
    if cmd == "dump":
        for line in listing(argv[2]):
            print("X " + line)
    elif cmd == "getfattr":
        print("\n".join(from_getfattr(sys.stdin.read())))
    elif cmd == "image":
        print("\n".join(from_image(argv[2])))
    elif cmd == "change":
        change(argv[2], int(argv[3]), int(argv[4]), "--errors" in argv, "--trusted" in argv)
        for line in listing(argv[2]):
            print("X " + line)
    elif cmd == "first":
        first(argv[2])
    elif cmd == "ro":
        ro(argv[2])
    elif cmd == "share":
        share(argv[2], int(argv[3]), int(argv[4]))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
