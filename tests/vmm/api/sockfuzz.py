#!/usr/bin/env python3
"""sockfuzz.py SOCKET CORPUS_DIR COUNT SECONDS SEED: mutated API requests (byte flips,
inserts, cuts, repeats, splices of the corpus's requests) sent to a running motevm's Unix
socket, one connection each, COUNT of them or SECONDS at most, whichever ends first. Prints
"sent N, answered N (2xx N, 4xx N, 5xx N), no answer N" and exits 0 if every connection
could be made (a refused connection means motevm's API is gone: exit 1). Bounded in count
and time; only the given local socket is touched."""
import os
import random
import socket
import sys
import time


def mutate(rng, data, corpus):
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(6)
        pos = rng.randrange(len(data) + 1)
        if op == 0 and data:  # flip a byte
            data[pos % len(data)] ^= 1 << rng.randrange(8)
        elif op == 1:  # insert interesting bytes
            data[pos:pos] = rng.choice(
                [b"\r\n", b"\x00", b"%n", b"{", b"}", b'"', b"9" * 20, b"-1", b":",
                 b"Content-Length: 99999999\r\n", b"\xff\xfe", b"A" * rng.randrange(1, 5000)])
        elif op == 2 and data:  # cut a range
            del data[pos:pos + rng.randrange(1, 64)]
        elif op == 3 and data:  # repeat a range
            end = min(len(data), pos + rng.randrange(1, 64))
            data[pos:pos] = data[pos:end] * rng.randrange(2, 20)
        elif op == 4:  # splice another request in
            other = rng.choice(corpus)
            data[pos:] = other[rng.randrange(len(other) + 1):]
        else:  # truncate
            data = data[:pos]
    return bytes(data)


def main():
    path, cdir, count, seconds, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
        float(sys.argv[4]), int(sys.argv[5])
    corpus = [open(os.path.join(cdir, f), "rb").read() for f in sorted(os.listdir(cdir))]
    rng = random.Random(seed)
    end = time.monotonic() + seconds
    sent = answered = silent = 0
    classes = {"2": 0, "4": 0, "5": 0}
    while sent < count and time.monotonic() < end:
        req = mutate(rng, rng.choice(corpus), corpus)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(0.5)
        try:
            s.connect(path)
        except OSError as e:
            print(f"connection {sent} refused: {e} (motevm's API is gone)")
            return 1
        sent += 1
        try:
            s.sendall(req)
            s.shutdown(socket.SHUT_WR)
            head = s.recv(64)
        except OSError:
            head = b""
        s.close()
        if head.startswith(b"HTTP/1.1 "):
            answered += 1
            c = head[9:10].decode("latin-1")
            classes[c] = classes.get(c, 0) + 1
        else:
            silent += 1
    print(f"sent {sent}, answered {answered} (2xx {classes['2']}, 4xx {classes['4']}, "
          f"5xx {classes['5']}), no answer {silent}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
