"""pty_run.py: run a command with a new pseudo-terminal as its controlling terminal and its
stdin, stdout and stderr, as a user at a terminal would, and print what it wrote there.

Usage: pty_run.py [--size ROWSxCOLS] [--timeout SECONDS] [--raw]
       [[--after TEXT] [--sleep SECONDS] (--type KEYS | --resize ROWSxCOLS)]...
       -- COMMAND [ARG]...

--size sets the terminal's window (default 24x80). --after TEXT --type KEYS: once TEXT was
printed (after the previous step's), type KEYS (Python escapes: '\\x03' is ^C, '\\r' Enter).
--type without --after types at once; --sleep waits as long first (for what
cannot be seen: a job continued by fg). --resize changes the window instead of typing, as
a user dragging the terminal's corner (the foreground group gets SIGWINCH). The terminal's settings are the defaults Linux gives
a new pty (echo, canonical mode, ISIG); the command (mote, QEMU) may change them. The
transcript goes to stdout with carriage returns removed unless --raw; the exit status is
the command's (128+N for a death by signal N); 124 when the time runs out (the command is
killed; a note on stderr says which step it waited for). Unlike script(1), nothing depends on
$SHELL or on this process's own stdin."""
import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time


def parse(args):
    opts = {"size": (24, 80), "timeout": 120.0, "raw": False, "steps": []}
    after, pause = None, 0.0
    while args and args[0] != "--":
        flag, value = args[0], args[1] if len(args) > 1 else None
        if flag == "--raw":
            opts["raw"] = True
            args = args[1:]
            continue
        if value is None:
            sys.exit("pty_run.py: %s needs a value" % flag)
        if flag == "--size":
            rows, cols = value.split("x")
            opts["size"] = (int(rows), int(cols))
        elif flag == "--timeout":
            opts["timeout"] = float(value)
        elif flag == "--after":
            after = value
        elif flag == "--sleep":
            pause = float(value)
        elif flag in ("--type", "--resize"):
            if flag == "--type":
                action = value.encode().decode("unicode_escape").encode("latin-1")
            else:
                action = tuple(int(v) for v in value.split("x"))
            opts["steps"].append((after, pause, action))
            after, pause = None, 0.0
        else:
            sys.exit("pty_run.py: unknown option " + flag)
        args = args[2:]
    if not args[1:]:
        sys.exit(__doc__)
    return opts, args[1:]


def resize(fd, size):
    rows, cols = size
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main():
    opts, argv = parse(sys.argv[1:])
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    resize(fd, opts["size"])
    out, seen = b"", 0
    steps = list(opts["steps"])
    end = time.monotonic() + opts["timeout"]
    status = None
    while True:
        while steps and (steps[0][0] is None or steps[0][0].encode() in out[seen:]):
            if steps[0][0] is not None:
                seen = out.index(steps[0][0].encode(), seen) + len(steps[0][0])
            _, wait, action = steps.pop(0)
            time.sleep(wait)
            if isinstance(action, tuple):
                resize(fd, action)
            else:
                os.write(fd, action)
        left = end - time.monotonic()
        if left <= 0:
            what = "for %r" % steps[0][0] if steps else "for the end of its output"
            sys.stderr.write("pty_run.py: timed out waiting %s; killed\n" % what)
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            status = 124
            break
        if not select.select([fd], [], [], min(left, 1.0))[0]:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: every slave descriptor closed
            data = b""
        if not data:
            break
        out += data
    if status is None:
        code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        status = 128 - code if code < 0 else code
    if not opts["raw"]:
        out = out.replace(b"\r", b"")
    sys.stdout.buffer.write(out)
    sys.stdout.flush()
    return status


if __name__ == "__main__":
    sys.exit(main())
