"""ext4_tree.py: the writing side of tests/e2e/ext4_write.sh.

  build ROOT [--chown]  make the same tree of changes under ROOT (files of many sizes, one
                        with thousands of extents, sparse files, appends, truncates both
                        ways, mkdir/rmdir, renames within and across directories and over
                        existing names, hard links, symlinks short and long, a fifo, chmod,
                        chown, utime, a file written through a shared mapping, a file
                        unlinked while open, 2000 entries in one directory then half
                        removed); every time set at the end, so that the trees compare
  walk ROOT             one line per entry under ROOT (lost+found left out): path, type,
                        size, mode, uid, gid, links, mtime in ns, link target, SHA-256
  image IMG             the same lines read out of an ext4 image with debugfs (ls -p for
                        names, modes, owners and inode numbers; stat for times; rdump
                        for contents and targets; links counted by names)
  fill ROOT             write until ENOSPC, then free some and write again (prints C lines)
  random ROOT SEED N    N random changes, the same for a SEED (times set at the end)
  orphan ROOT           a file unlinked while open, synced; then waits to be killed
  ro ROOT               every kind of change tried, each refused (prints C lines: errno)

Lines start with "W " (in Mote the console carries the kernel's lines too); checks with "C ".
"""
import errno
import hashlib
import mmap
import os
import random
import stat
import subprocess
import sys
import tempfile

T = 1234567890_123456789  # every time, in ns, set at the end
KEEP = []  # descriptors left open until the program ends
T2038 = 5276140402_789000000  # one past 2038: needs the epoch bits


def put(path, data, mode="wb"):
    with open(path, mode) as f:
        f.write(data)


def build(root, chown):
    rnd = random.Random(13)
    data = lambda n: rnd.randbytes(n)
    d = lambda *p: os.path.join(root, *p)
    if os.path.isdir(d("indexed")):  # a hashed directory from the seed image: changed
        for i in range(50):
            put(d("indexed", "added %d" % i), b"+")
        for i in range(0, 40, 2):
            os.unlink(d("indexed", "seed %d" % i))
    os.makedirs(d("a", "b", "c"))
    os.mkdir(d("sizes"))
    for n in (0, 1, 1023, 1024, 1025, 4095, 4096, 4097, 65539, 1 << 20, (3 << 20) + 7):
        put(d("sizes", "s%d" % n), data(n))
    # many extents: 1500 single blocks with a hole between each (index levels)
    with open(d("fragmented"), "wb") as f:
        for i in range(1500):
            os.pwrite(f.fileno(), data(4096), i * 8192)
    put(d("fragmented2"), open(d("fragmented"), "rb").read())
    with open(d("fragmented2"), "r+b") as f:
        f.truncate(3 * 1024 * 1024 + 100)  # cut inside the tree
    with open(d("fragmented3"), "wb") as f:
        for i in range(600):
            os.pwrite(f.fileno(), data(1000), i * 5000)
    with open(d("fragmented3"), "r+b") as f:
        f.truncate(0)
        f.write(b"again")
    # sparse: holes inside, at the start, at the end
    with open(d("sparse"), "wb") as f:
        os.pwrite(f.fileno(), data(5000), 1 << 20)
        os.pwrite(f.fileno(), data(100), 10 << 20)
        f.truncate(20 << 20)
    # appends, partial blocks
    for i in range(40):
        put(d("a", "appended"), data(rnd.randrange(1, 3000)), "ab")
    # truncates down then up: the tail must read as zeros
    put(d("a", "trunc"), data(1 << 20))
    os.truncate(d("a", "trunc"), 5000)
    os.truncate(d("a", "trunc"), 200000)
    with open(d("a", "trunc"), "r+b") as f:
        f.seek(150000)
        f.write(b"middle")
    # overwrite in place, partial blocks
    put(d("a", "over"), data(50000))
    with open(d("a", "over"), "r+b") as f:
        for off in (0, 100, 4090, 4096, 12345, 49990):
            f.seek(off)
            f.write(data(77))
    # directories: made, filled, emptied, removed
    for i in range(10):
        os.makedirs(d("tmpdirs", "t%d" % i, "inner"))
        put(d("tmpdirs", "t%d" % i, "inner", "f"), data(3000))
    for i in range(0, 10, 2):
        os.unlink(d("tmpdirs", "t%d" % i, "inner", "f"))
        os.rmdir(d("tmpdirs", "t%d" % i, "inner"))
        os.rmdir(d("tmpdirs", "t%d" % i))
    # renames: same directory, across, over an existing file, a directory across, a
    # directory over an empty one
    put(d("a", "r1"), b"r1")
    os.rename(d("a", "r1"), d("a", "r1 renamed"))
    put(d("a", "r2"), b"r2 moved")
    os.rename(d("a", "r2"), d("a", "b", "c", "r2"))
    put(d("victim"), data(70000))
    put(d("a", "winner"), b"the winner")
    os.rename(d("a", "winner"), d("victim"))
    os.rename(d("tmpdirs", "t1"), d("a", "b", "t1 moved"))
    os.mkdir(d("emptydir"))
    os.rename(d("tmpdirs", "t3"), d("emptydir"))
    # hard links
    put(d("linked"), data(10000))
    os.link(d("linked"), d("a", "link2"))
    os.link(d("linked"), d("a", "b", "link3"))
    os.link(d("linked"), d("link4"))
    os.unlink(d("link4"))
    # symlinks: in the inode, and in a block
    os.symlink("linked", d("short link"))
    os.symlink("x/" * 40 + "long", d("long link"))
    os.symlink("y" * 300, d("a", "longer link"))
    os.symlink("gone", d("dead link"))
    os.unlink(d("dead link"))
    os.mkfifo(d("fifo"), 0o640)
    if chown:  # device nodes need root too; one number in the old form, one in the new
        os.mknod(d("null"), stat.S_IFCHR | 0o666, os.makedev(1, 3))
        os.mknod(d("a", "blockdev"), stat.S_IFBLK | 0o600, os.makedev(259, 70000))
    # attributes
    os.chmod(d("sizes", "s1"), 0o600)
    os.chmod(d("a", "b"), 0o711)
    os.chmod(d("linked"), 0o4755)
    if chown:
        os.chown(d("sizes", "s1024"), 1000, 1001)
        os.chown(d("a", "b", "c"), 2000, 2001)
        os.lchown(d("short link"), 3000, 3001)
    # a shared mapping written, then synced
    put(d("mapped"), data(3 * 4096 + 50))
    with open(d("mapped"), "r+b") as f:
        m = mmap.mmap(f.fileno(), 0)
        m[10:20] = b"0123456789"
        m[3 * 4096:3 * 4096 + 5] = b"abcde"
        m.close()
        os.fsync(f.fileno())
    # another, written back by msync alone (and at the end); read(2) sees it at once
    put(d("mapped2"), data(2 * 4096))
    with open(d("mapped2"), "r+b") as f:
        m = mmap.mmap(f.fileno(), 0)
        m[4000:4200] = b"M" * 200
        seen = os.pread(f.fileno(), 200, 4000) == b"M" * 200
        m.flush()
        m.close()
    print("C mmap: read(2) sees a mapped write: %s" % seen)
    # unlinked while open: the data stays until the last close
    f = open(d("ghost"), "w+b")
    f.write(data(100000))
    os.unlink(d("ghost"))
    f.write(b"more")
    f.seek(0)
    ghost = len(f.read())
    f.close()
    # 2000 entries, half of them removed
    os.mkdir(d("big dir"))
    for i in range(2000):
        put(d("big dir", "entry number %04d with a longer name" % i), b"%d\n" % i)
    for i in range(0, 2000, 2):
        os.unlink(d("big dir", "entry number %04d with a longer name" % i))
    os.sync()
    # times last (a child's change moves its directory's mtime)
    for top, dirs, files in os.walk(root, topdown=False):
        for name in dirs + files:
            os.utime(os.path.join(top, name), ns=(T, T), follow_symlinks=False)
    os.utime(d("sizes", "s0"), ns=(T2038, T2038))
    os.utime(root, ns=(T, T))
    print("C ghost: %d bytes read after unlink" % ghost)
    # unlinked and never closed: the unmount at the program's end frees it
    fd = os.open(d("ghost2"), os.O_CREAT | os.O_WRONLY, 0o644)
    os.write(fd, data(200000))
    os.unlink(d("ghost2"))
    KEEP.append(fd)


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def line(rel, kind, size, mode, uid, gid, nlink, mtime, target, sha):
    return "W %r %s %s %o %d %d %s %d %r %s" % (rel, kind, size, mode, uid, gid, nlink,
                                                 mtime, target, sha)


def kind_of(mode):
    return ("dir" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode)
            else "link" if stat.S_ISLNK(mode) else "fifo" if stat.S_ISFIFO(mode) else "other")


def walk(root):
    out = []
    for top, dirs, files in os.walk(root):
        if top == root and "lost+found" in dirs:
            dirs.remove("lost+found")
        for name in dirs + files:
            p = os.path.join(top, name)
            st = os.lstat(p)
            k = kind_of(st.st_mode)
            target = (os.readlink(p) if k == "link" else
                      "%d:%d" % (os.major(st.st_rdev), os.minor(st.st_rdev)) if k == "other"
                      else "-")
            out.append(line(os.path.relpath(p, root), k, "-" if k == "dir" else st.st_size,
                            st.st_mode, st.st_uid, st.st_gid, "-" if k == "dir" else st.st_nlink,
                            st.st_mtime_ns, target, digest(p) if k == "file" else "-"))
    return sorted(out)


def debugfs(img, cmd):
    return subprocess.run(["debugfs", "-R", cmd, img], capture_output=True, text=True,
                          check=True).stdout


def image(img):
    """Names from debugfs ls -p, the rest from an rdump of the image (fifos: from ls)."""
    entries = []  # (rel, ino, mode, uid, gid)
    todo = [""]
    while todo:
        rel = todo.pop()
        for l in debugfs(img, 'ls -p "/%s"' % rel).splitlines():
            f = l.split("/")
            if len(f) < 7 or f[5] in (".", "..") or (not rel and f[5] == "lost+found"):
                continue
            ino, mode, uid, gid, name = int(f[1]), int(f[2], 8), int(f[3]), int(f[4]), f[5]
            if not ino:  # the first entry of a block, removed
                continue
            p = os.path.join(rel, name)
            entries.append((p, ino, mode, uid, gid))
            if stat.S_ISDIR(mode):
                todo.append(p)
    names = {}
    for e in entries:
        names[e[1]] = names.get(e[1], 0) + 1
    times = mtimes(img, [e[0] for e in entries])
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        debugfs(img, "rdump / %s" % tmp)
        for p, ino, mode, uid, gid in entries:
            k = kind_of(mode)
            q = os.path.join(tmp, p)
            if k in ("fifo", "other"):  # rdump makes none
                out.append(line(p, k, 0, mode, uid, gid, names[ino], times[p][0],
                                times[p][1] if k == "other" else "-", "-"))
                continue
            st = os.lstat(q)
            out.append(line(p, k, "-" if k == "dir" else st.st_size, mode, uid, gid,
                            "-" if k == "dir" else names[ino], times[p][0],
                            os.readlink(q) if k == "link" else "-",
                            digest(q) if k == "file" else "-"))
    return sorted(out)


def mtimes(img, paths):
    """Each path's mtime in ns (the low 32 bits signed, plus the extra field's epoch bits
    and nanoseconds) and device number (major:minor, or "-"), from one debugfs run."""
    with tempfile.NamedTemporaryFile("w") as cmds:
        cmds.write("".join('stat "/%s"\n' % p for p in paths))
        cmds.flush()
        text = subprocess.run(["debugfs", "-f", cmds.name, img], capture_output=True,
                              text=True, check=True).stdout
    out = {}
    for p, block in zip(paths, text.split("debugfs: stat ")[1:]):
        f = block.split(" mtime: ")[1].split()[0].split(":")
        lo = int(f[0], 16)
        lo -= (1 << 32) if lo >= 1 << 31 else 0
        extra = int(f[1], 16) if len(f) > 1 else 0
        dev = "-"
        if "evice major" in block:  # "01:03" in the old form, "259:70000" in the new
            dev = ":".join(str(int(x)) for x in
                           block.split("evice major/minor number: ")[1].split()[0].split(":"))
        out[p] = ((lo + ((extra & 3) << 32)) * 10**9 + (extra >> 2), dev)
    return out


def randomly(root, seed, n):
    """n random changes (seeded: the same on every machine): writes at random places,
    truncates, renames, links, removals, directories made and removed."""
    rnd = random.Random(seed)
    files, dirs = [], [""]
    fresh = iter(range(1 << 30))

    def newname():
        return "n%d%s" % (next(fresh), "x" * rnd.choice((0, 0, 10, 60, 200)))

    for _ in range(n):
        op = rnd.random()
        if op < 0.3 or not files:
            p = os.path.join(rnd.choice(dirs), newname())
            put(os.path.join(root, p), rnd.randbytes(rnd.choice((0, 1, 100, 5000, 70000))))
            files.append(p)
        elif op < 0.55:
            p = rnd.choice(files)
            with open(os.path.join(root, p), "r+b") as f:
                off = rnd.choice((0, rnd.randrange(1 << 16), rnd.randrange(1 << 22)))
                f.seek(off)
                f.write(rnd.randbytes(rnd.choice((1, 3000, 9000, 100000))))
        elif op < 0.65:
            p = rnd.choice(files)
            os.truncate(os.path.join(root, p), rnd.choice((0, 1, 4095, 12289, 300000)))
        elif op < 0.72:
            p = files.pop(rnd.randrange(len(files)))
            q = os.path.join(rnd.choice(dirs), newname())
            os.rename(os.path.join(root, p), os.path.join(root, q))
            files.append(q)
        elif op < 0.77:
            p = rnd.choice(files)
            q = os.path.join(rnd.choice(dirs), newname())
            os.link(os.path.join(root, p), os.path.join(root, q))
            files.append(q)
        elif op < 0.87:
            os.unlink(os.path.join(root, files.pop(rnd.randrange(len(files)))))
        elif op < 0.97:
            p = os.path.join(rnd.choice(dirs), newname()[:50])
            os.mkdir(os.path.join(root, p))
            dirs.append(p)
        elif len(dirs) > 1:
            p = dirs[rnd.randrange(1, len(dirs))]
            for f in [f for f in files if f.startswith(p + "/")]:
                os.unlink(os.path.join(root, f))
                files.remove(f)
            for d in sorted([d for d in dirs if d == p or d.startswith(p + "/")], reverse=True):
                os.rmdir(os.path.join(root, d))
                dirs.remove(d)
    for top, ds, fs in os.walk(root, topdown=False):
        for name in ds + fs:
            if top == root and name == "lost+found":
                continue
            os.utime(os.path.join(top, name), ns=(T, T), follow_symlinks=False)


def orphan(root):
    """A file unlinked while open, committed (sync), then the VM left running: the host
    kills it, and the next mount must free the file (the orphan list)."""
    f = open(os.path.join(root, "ghost"), "wb")
    f.write(os.urandom(3 << 20))
    f.flush()
    os.unlink(os.path.join(root, "ghost"))
    os.sync()
    print("C orphan: ready", flush=True)
    import time
    time.sleep(1000)


def fill(root):
    """Write until ENOSPC; then free a file and write again."""
    n = 0
    try:
        for i in range(100000):
            put(os.path.join(root, "fill%d" % i), os.urandom(1 << 20))
            n = i + 1
        print("C fill: no ENOSPC")
    except OSError as e:
        print("C fill: %s after %d files" % ("ENOSPC" if e.errno == 28 else e.errno, n))
    os.unlink(os.path.join(root, "fill0"))
    try:
        put(os.path.join(root, "after"), b"x" * 100000)
        print("C fill: written again after a delete")
    except OSError as e:
        print("C fill: still failing: %s" % e)


def ro(root):
    d = lambda *p: os.path.join(root, *p)
    name = sorted(n for n in os.listdir(root) if os.path.isfile(d(n)))[0]
    for what, fn in (("create", lambda: open(d("new"), "w")),
                     ("open for writing", lambda: open(d(name), "r+b")),
                     ("mkdir", lambda: os.mkdir(d("newdir"))),
                     ("unlink", lambda: os.unlink(d(name))),
                     ("rename", lambda: os.rename(d(name), d("renamed"))),
                     ("chmod", lambda: os.chmod(d(name), 0o600)),
                     ("symlink", lambda: os.symlink("x", d("sym")))):
        try:
            fn()
            print("C %s: allowed" % what)
        except OSError as e:
            print("C %s: %s" % (what, errno.errorcode.get(e.errno, e.errno)))


def main():
    what, arg = sys.argv[1], sys.argv[2]
    if what == "build":
        build(arg, "--chown" in sys.argv)
    elif what == "walk":
        print("\n".join(walk(arg)))
    elif what == "image":
        print("\n".join(image(arg)))
    elif what == "fill":
        fill(arg)
    elif what == "ro":
        ro(arg)
    elif what == "orphan":
        orphan(arg)
    elif what == "random":
        randomly(arg, int(sys.argv[3]), int(sys.argv[4]))
    if "--checks" in sys.argv:
        checks(arg)


def checks(root):
    st = os.statvfs(root)
    print("C statvfs: rdonly %d" % (st.f_flag & os.ST_RDONLY))
    for l in open("/proc/mounts"):
        if " %s " % root in l:
            print("C mounts: " + l.strip())


if __name__ == "__main__":
    main()
