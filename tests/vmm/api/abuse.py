#!/usr/bin/env python3
"""abuse.py SOCKET: hostile clients against motevm's API socket (issue 16), run by abuse.sh.

Checks that held, half-sent and idle connections do not lock a well-behaved client out, that
the documented limits hold (headers 16 KiB, body --http-api-max-payload-size) with 400 and a
closed connection, and that the deadlines close a slowloris client (408), a client that does
not read its answers, and idle keep-alive connections. The values are motevm's
(vmm/api/server.h, vmm/api/http.h; docs/motevm.md). Every wait is bounded. Prints "ok ..." or
"FAIL ..." per check; exits 1 if any failed.
"""
import json
import select
import socket
import sys
import time

SOCK = sys.argv[1]
MAX_CONNS = 16
REQUEST_TIMEOUT = 5.0
IDLE_TIMEOUT = 30.0
HEADER_MAX = 16384
BODY_MAX = 51200
GET_ROOT = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
fails = 0


def check(what, cond, detail=""):
    global fails
    if cond:
        print(f"ok   {what}")
    else:
        fails += 1
        print(f"FAIL {what}{': ' + detail if detail else ''}")
    sys.stdout.flush()


def dial():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(SOCK)
    return s


def send(s, data):
    """Sends what the server takes; False if it closed on us (it may, mid-request)."""
    try:
        s.sendall(data)
        return True
    except (BrokenPipeError, ConnectionResetError):
        return False


def read_response(s, limit=5.0):
    """One response (status, headers dict, body bytes) or None, within LIMIT seconds."""
    buf = b""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        head, sep, rest = buf.partition(b"\r\n\r\n")
        if sep:
            lines = head.decode("latin-1").split("\r\n")
            headers = {}
            for line in lines[1:]:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
            n = int(headers.get("content-length", "0"))
            if len(rest) >= n:
                return int(lines[0].split()[1]), headers, rest[:n]
        r, _, _ = select.select([s], [], [], max(0.0, end - time.monotonic()))
        if not r:
            break
        try:
            data = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not data:
            break
        buf += data
    return None


def closed_within(s, limit):
    """Seconds until the server closed S (its unread answers skipped), or None after LIMIT."""
    start = time.monotonic()
    end = start + limit
    while time.monotonic() < end:
        r, _, _ = select.select([s], [], [], max(0.0, end - time.monotonic()))
        if not r:
            break
        try:
            if not s.recv(65536):
                return time.monotonic() - start
        except ConnectionResetError:
            return time.monotonic() - start
    return None


def fault(body):
    try:
        return json.loads(body)["fault_message"]
    except (ValueError, KeyError, TypeError):
        return repr(body[:200])


def timed_get(what, limit=1.0):
    """A well-behaved client: connect, GET /, answered 200 within LIMIT seconds."""
    start = time.monotonic()
    try:
        s = dial()
        send(s, GET_ROOT)
        resp = read_response(s, limit)
        s.close()
    except OSError as e:
        resp = None
        print(f"     ({what}: {e})")
    took = time.monotonic() - start
    check(f"{what}: GET / answered 200 in {took * 1000:.0f} ms (limit {limit * 1000:.0f})",
          resp is not None and resp[0] == 200 and took <= limit,
          f"{resp[0] if resp else 'no answer'}")


def held_connections():
    """16 half-sent and 16 idle connections, held open: a new client still gets in at once."""
    half = b"PUT /machine-config HTTP/1.1\r\nContent-Length: 37\r\n\r\n{\"vcpu_"
    held = []
    for kind in ("half-sent", "idle"):
        for _ in range(MAX_CONNS):
            s = dial()
            if kind == "half-sent":
                send(s, half)
            held.append(s)
        time.sleep(0.1)
        timed_get(f"{MAX_CONNS} {kind} connections held")
    # Half-sent ones again, as the newest: they take the idle ones' slots.
    for _ in range(MAX_CONNS):
        s = dial()
        send(s, b"GET / HT")
        held.append(s)
    time.sleep(0.1)
    for i in range(5):
        timed_get(f"{len(held)} held connections, client {i + 1}")
    # A keep-alive client keeps its connection while it is in use.
    s = dial()
    ok = True
    for _ in range(3):
        send(s, GET_ROOT)
        resp = read_response(s, 1.0)
        ok = ok and resp is not None and resp[0] == 200
        time.sleep(0.2)
    check("a keep-alive client among held connections: 3 requests answered", ok)
    s.close()
    for h in held:
        h.close()


def big_headers():
    """Headers over 16 KiB: 400, Connection: close, closed. At the limit: served."""
    line = b"GET / HTTP/1.1\r\nHost: localhost\r\n"
    # Request line, headers and the blank line: exactly HEADER_MAX bytes are accepted.
    pad = HEADER_MAX - len(line) - len(b"X-Pad: \r\n\r\n")
    s = dial()
    send(s, line + b"X-Pad: " + b"a" * pad + b"\r\n\r\n")
    resp = read_response(s)
    check(f"headers of exactly {HEADER_MAX} bytes: 200", resp is not None and resp[0] == 200,
          f"{resp}")
    s.close()
    for size, what in ((pad + 1, f"{HEADER_MAX + 1} bytes of headers"),
                       (81000, "one header of 81,000 bytes"),
                       (20 * 1024, "200 headers of ~100 bytes")):
        s = dial()
        if size == 20 * 1024:
            data = line + b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 96) for i in range(200))
        else:
            data = line + b"X-Big: " + b"a" * size + b"\r\n"
        start = time.monotonic()
        send(s, data + b"\r\n")
        resp = read_response(s, 3.0)
        took = time.monotonic() - start
        check(f"{what}: 400 in {took * 1000:.0f} ms",
              resp is not None and resp[0] == 400 and took < 1.0, f"{resp}")
        if resp:
            check(f"{what}: fault message",
                  fault(resp[2]) == f"Request headers are larger than the limit of {HEADER_MAX} "
                  "bytes allowed by server.", fault(resp[2]))
            check(f"{what}: Connection: close", resp[1].get("connection") == "close")
        check(f"{what}: connection closed", closed_within(s, 2.0) is not None)
        s.close()


def big_bodies():
    """A body over the cap: 400 with Firecracker's message, closed; declared or chunked."""
    msg = f"Request payload with size {BODY_MAX + 1} is larger than the limit of {BODY_MAX} " \
        "allowed by server."
    s = dial()
    send(s, b"PUT /machine-config HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % (BODY_MAX + 1))
    resp = read_response(s)
    check("Content-Length over the cap: 400 before the body is sent",
          resp is not None and resp[0] == 400 and fault(resp[2]) == msg, f"{resp}")
    check("Content-Length over the cap: closed", closed_within(s, 2.0) is not None)
    s.close()
    s = dial()
    send(s, b"PUT /machine-config HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
    for _ in range(BODY_MAX // 4096 + 1):
        if not send(s, b"1000\r\n" + b"x" * 4096 + b"\r\n"):
            break
    resp = read_response(s)
    check("a chunked body over the cap: 400",
          resp is not None and resp[0] == 400 and "is larger than the limit of" in fault(resp[2]),
          f"{resp}")
    check("a chunked body over the cap: closed", closed_within(s, 2.0) is not None)
    s.close()
    # At the cap the body is read (and judged as JSON): a request-level error, kept open.
    s = dial()
    send(s, b"PUT /machine-config HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % BODY_MAX
         + b" " * BODY_MAX)
    resp = read_response(s)
    check("a body of exactly the cap is read: its JSON judged",
          resp is not None and resp[0] == 400 and "deserializing" in fault(resp[2]), f"{resp}")
    send(s, GET_ROOT)
    resp = read_response(s)
    check("... and the connection kept", resp is not None and resp[0] == 200)
    s.close()


def stalled_clients():
    """A slowloris client and one that never reads its answers: closed by the deadline."""
    slow = dial()
    start = time.monotonic()
    send(slow, b"GET / HTTP/1.1\r\n")
    reader = dial()
    # Enough pipelined requests that the answers outgrow the socket's buffers.
    send_start = time.monotonic()
    reader.setblocking(False)
    burst = GET_ROOT * 2000
    sent = 0
    while sent < len(burst) and time.monotonic() - send_start < 3:
        try:
            sent += reader.send(burst[sent:])
        except BlockingIOError:
            time.sleep(0.01)
        except (BrokenPipeError, ConnectionResetError):
            break
    send_end = time.monotonic()
    # The slowloris client sends a header line every 0.5 s: no single byte buys it time.
    closed_at = None
    answer = b""
    i = 0
    while time.monotonic() - start < REQUEST_TIMEOUT + 3:
        r, _, _ = select.select([slow], [], [], 0.5)
        if r:
            try:
                data = slow.recv(4096)
            except ConnectionResetError:
                data = b""
            if not data:
                closed_at = time.monotonic() - start
                break
            answer += data
            continue
        send(slow, b"X-Slow-%d: x\r\n" % i)
        i += 1
    check(f"slowloris: closed {closed_at or 0:.1f} s after its first byte "
          f"(deadline {REQUEST_TIMEOUT:.0f} s)",
          closed_at is not None and REQUEST_TIMEOUT - 0.5 <= closed_at <= REQUEST_TIMEOUT + 2,
          f"{closed_at}")
    check("slowloris: told 408", answer.startswith(b"HTTP/1.1 408"), repr(answer[:60]))
    slow.close()
    # Its deadline counts from its last answer (reading would let the server go on): wait for
    # it, then drain what was answered before the server gave up.
    time.sleep(max(0.0, send_end + REQUEST_TIMEOUT + 1.5 - time.monotonic()))
    reader.setblocking(True)
    rest = b""
    end = time.monotonic() + 3
    eof = False
    while time.monotonic() < end:
        r, _, _ = select.select([reader], [], [], max(0.0, end - time.monotonic()))
        if not r:
            break
        try:
            data = reader.recv(65536)
        except ConnectionResetError:
            data = b""
        if not data:
            eof = True
            break
        rest += data
    answers = rest.count(b"HTTP/1.1 200")
    check(f"a client that does not read its answers: closed after {answers} of 2000",
          eof and answers < 2000, f"eof {eof}")
    reader.close()


def main():
    timed_get("a fresh server")
    held_connections()
    time.sleep(0.2)  # the held connections' ends reach the server
    # Idle keep-alive connections: one silent, one sending empty lines (which buy no time).
    idle = dial()
    send(idle, GET_ROOT)
    check("idle keep-alive connection: first request", (read_response(idle) or [0])[0] == 200)
    crlf = dial()
    send(crlf, GET_ROOT)
    read_response(crlf)
    idle_start = time.monotonic()
    big_headers()
    big_bodies()
    stalled_clients()
    timed_get("after the hostile clients")
    # Back to the idle connections: open until the idle timeout, closed soon after it.
    closed = {}
    end = idle_start + IDLE_TIMEOUT + 5
    next_crlf = time.monotonic()
    while len(closed) < 2 and time.monotonic() < end:
        if "crlf" not in closed and time.monotonic() >= next_crlf:
            send(crlf, b"\r\n")
            next_crlf = time.monotonic() + 3
        socks = [s for s, n in ((idle, "idle"), (crlf, "crlf")) if n not in closed]
        r, _, _ = select.select(socks, [], [], 0.5)
        for s in r:
            try:
                data = s.recv(4096)
            except ConnectionResetError:
                data = b""
            if not data:
                closed["idle" if s is idle else "crlf"] = time.monotonic() - idle_start
    for name in ("idle", "crlf"):
        t = closed.get(name)
        what = "an idle keep-alive connection" if name == "idle" else \
            "a keep-alive connection sending only empty lines"
        check(f"{what}: closed after {t or 0:.1f} s (idle timeout {IDLE_TIMEOUT:.0f} s)",
              t is not None and IDLE_TIMEOUT - 1 <= t <= IDLE_TIMEOUT + 4, f"{t}")
    idle.close()
    crlf.close()
    timed_get("at the end")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
