"""ext4_walk.py ROOT [--checks]: one line per entry under ROOT (sorted, lost+found left out):
path, type, size, mode, uid, gid, nlink, mtime in seconds (mkfs.ext4 -d keeps no
nanoseconds), link target, and the SHA-256 of a regular file's content (of its first and last
MiB for files over 64 MiB, read with seeks). Lines start with "W " (the guest's console also
carries the kernel's lines). Run on the host over the source tree and in Mote over the
mounted image, the two outputs must be the same. --checks adds, in Mote: statvfs, writes
refused (errno names), a mapped file equal to its read, /timed's mtime in ns, and
/proc/mounts' line."""
import errno
import hashlib
import mmap
import os
import stat
import sys

BIG = 64 << 20


def digest(path, size):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        if size <= BIG:
            while chunk := f.read(1 << 20):
                h.update(chunk)
        else:
            h.update(f.read(1 << 20))
            f.seek(size - (1 << 20))
            h.update(f.read(1 << 20))
    return h.hexdigest()


def line(root, path):
    st = os.lstat(path)
    rel = os.path.relpath(path, root)
    kind = ("dir" if stat.S_ISDIR(st.st_mode) else "file" if stat.S_ISREG(st.st_mode)
            else "link" if stat.S_ISLNK(st.st_mode) else "other")
    size = "-" if kind == "dir" else st.st_size
    target = os.readlink(path) if kind == "link" else "-"
    sha = digest(path, st.st_size) if kind == "file" else "-"
    nlink = "-" if kind == "dir" else st.st_nlink
    print("W %r %s %s %o %d %d %s %d %r %s" % (rel, kind, size, st.st_mode, st.st_uid,
                                                st.st_gid, nlink, st.st_mtime_ns // 10**9, target, sha))


def walk(root):
    for top, dirs, files in os.walk(root):
        if top == root and "lost+found" in dirs:
            dirs.remove("lost+found")
        dirs.sort()
        for name in sorted(dirs + files):
            line(root, os.path.join(top, name))


def try_(what, fn):
    try:
        fn()
        print("C %s: allowed" % what)
    except OSError as e:
        print("C %s: %s" % (what, errno.errorcode.get(e.errno, e.errno)))


def checks(root):
    s = os.statvfs(root)
    print("C statvfs: bsize %d blocks %d bfree %d files %d ffree %d namemax %d rdonly %d" %
          (s.f_bsize, s.f_blocks, s.f_bfree, s.f_files, s.f_ffree, s.f_namemax,
           s.f_flag & os.ST_RDONLY))
    try_("create", lambda: open(os.path.join(root, "new"), "w"))
    try_("open for writing", lambda: open(os.path.join(root, "one"), "r+"))
    try_("mkdir", lambda: os.mkdir(os.path.join(root, "newdir")))
    try_("unlink", lambda: os.unlink(os.path.join(root, "one")))
    try_("rename", lambda: os.rename(os.path.join(root, "one"), os.path.join(root, "two")))
    try_("chmod", lambda: os.chmod(os.path.join(root, "one"), 0o600))
    try_("symlink", lambda: os.symlink("x", os.path.join(root, "newlink")))
    path = os.path.join(root, "a/b/random 3M")
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        same = hashlib.sha256(m).hexdigest() == digest(path, os.path.getsize(path))
    print("C mmap: %s" % ("same as read" if same else "differs from read"))
    print("C timed: %d" % os.lstat(os.path.join(root, "timed")).st_mtime_ns)
    with open("/proc/mounts") as f:
        for text in f:
            if " %s " % root in text:
                print("C mounts: " + text.strip())


walk(sys.argv[1])
if "--checks" in sys.argv:
    checks(sys.argv[1])
print("W end")
