"""harness.py: runs a program on a pseudo-terminal, as its controlling terminal, and types
^C and ^Z when it says it is ready (tests/e2e/console_jobs.sh). Usage: harness.py MODE
COMMAND...; MODE "native": the host's line discipline turns the keys into signals; MODE
"mote": COMMAND is `mote run`, and ISIG is cleared on the terminal once the VM runs (QEMU and
motevm keep it, so that Ctrl-C stops the VM), so the keys reach the guest's console as bytes.
Echo is off, so that the transcript is the program's output alone. Prints the transcript
(without carriage returns), then "status N" (128 + N for a death by signal N)."""
import os
import pty
import select
import sys
import termios
import time

mode, argv = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    attrs = termios.tcgetattr(0)
    attrs[3] &= ~termios.ECHO
    termios.tcsetattr(0, termios.TCSANOW, attrs)
    os.execvp(argv[0], argv)

out = b""


def expect(line, seconds):
    """Read until line was printed; False if the time or the output ends first."""
    global out
    end = time.monotonic() + seconds
    while line.encode() not in out:
        left = end - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return False
        try:
            data = os.read(fd, 4096)
        except OSError:
            return False
        if not data:
            return False
        out += data
    return True


def type_key(key):
    if mode == "mote":
        attrs = termios.tcgetattr(fd)
        attrs[3] &= ~termios.ISIG
        termios.tcsetattr(fd, termios.TCSANOW, attrs)
    os.write(fd, key)


for ready, key in (("ready for ^C", b"\x03"), ("ready for ^Z", b"\x1a"),
                   ("ready for ^C to a handler", b"\x03"), ("ready for the last ^C", b"\x03")):
    if not expect(ready, 120):
        out += ("(gave up waiting for %r)\n" % ready).encode()
        os.kill(pid, 9)
        break
    type_key(key)
expect("(never printed: until the output ends)", 30)
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
print("status", 128 - code if code < 0 else code)
