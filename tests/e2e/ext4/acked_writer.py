#!/usr/bin/env python3
"""acked_writer.py PORT SECONDS LOG: SET k<i> v<i> to a redis server on 127.0.0.1:PORT, one at a
time, for at most SECONDS, appending i to LOG (flushed) after each +OK, until the connection
breaks (the server was killed). Used by tests/e2e/ext4_crash_apps.sh: every i in LOG was
acknowledged, so with appendfsync always it must survive the kill."""
import socket
import sys
import time

port, seconds, log = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
end = time.monotonic() + seconds
with open(log, "a", buffering=1) as out:
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        f = s.makefile("rb")
        i = 0
        while time.monotonic() < end:
            i += 1
            key, val = b"k%d" % i, b"v%d" % i
            s.sendall(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, len(val), val))
            if f.readline() != b"+OK\r\n":
                break
            out.write("%d\n" % i)
    except OSError:
        pass
