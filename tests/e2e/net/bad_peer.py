"""bad_peer.py SOCKET: the whole network of a guest, as a hostile one: listens on the Unix
socket SOCKET for QEMU's `-netdev stream` (each Ethernet frame after its length, 4 bytes
big-endian), then sends the guest (10.0.2.15, an echo server on TCP port 7777) malformed
frames of every layer, and after each batch checks that the guest still answers ARP, ICMP echo
and a TCP SYN to its listening port. Prints one line per batch ("BATCH: alive" or what went
unanswered); exits 0 only if the guest stayed alive throughout. Frames go to the guest only."""
import random
import socket
import struct
import sys
import time

GUEST_IP, PEER_IP = bytes([10, 0, 2, 15]), bytes([10, 0, 2, 2])
PEER_MAC = bytes([0x02, 0x10, 0x00, 0x00, 0x00, 0x02])
rng = random.Random(12)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Net:
    def __init__(self, path):
        srv = socket.socket(socket.AF_UNIX)
        srv.bind(path)
        srv.listen(1)
        srv.settimeout(60)
        self.c, _ = srv.accept()
        self.c.settimeout(0.2)
        self.buf = b""
        self.guest_mac = None

    def send(self, frame):
        self.c.sendall(struct.pack("!I", len(frame)) + frame)

    def recv(self, timeout):
        """Frames from the guest until timeout seconds pass (its MAC learnt from them)."""
        end, out = time.time() + timeout, []
        while time.time() < end:
            try:
                d = self.c.recv(65536)
                if not d:
                    raise SystemExit("the guest's side closed")
                self.buf += d
            except socket.timeout:
                pass
            while len(self.buf) >= 4:
                n = struct.unpack("!I", self.buf[:4])[0]
                if len(self.buf) < 4 + n:
                    break
                f, self.buf = self.buf[4 : 4 + n], self.buf[4 + n :]
                self.guest_mac = self.guest_mac or f[6:12]
                out.append(f)
            if out:
                return out
        return out

    def eth(self, etype, payload, dst=None):
        return (dst or self.guest_mac or b"\xff" * 6) + PEER_MAC + struct.pack("!H", etype) + payload


def ipv4(proto, payload, src=PEER_IP, ttl=64, frag=0, ident=1):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, ttl, proto, 0, src, GUEST_IP)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def tcp(sport, dport, flags, seq=1000, opts=b"", data=b"", doff=None):
    off = doff if doff is not None else (20 + len(opts)) // 4
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, off << 4, flags, 65535, 0, 0) + opts
    ph = PEER_IP + GUEST_IP + struct.pack("!BBH", 0, 6, len(h) + len(data))
    c = csum(ph + h + data)
    return h[:16] + struct.pack("!H", c) + h[18:] + data


def arp_request():
    a = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + PEER_MAC + PEER_IP + b"\0" * 6 + GUEST_IP
    return a


def wait_for(net, pred):
    """Up to 6 s (TCG is slow) for a frame from the guest that PRED accepts; the guest's ARP
    requests for the peer are answered meanwhile."""
    end = time.time() + 6
    while time.time() < end:
        for f in net.recv(0.2):
            if f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x01" and f[38:42] == PEER_IP:
                a = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2) + PEER_MAC + PEER_IP + f[22:28] + f[28:32]
                net.send(net.eth(0x0806, a, dst=f[22:28]))
            if pred(f):
                return True
    return False


def alive(net, tag):
    """ARP, ping and a SYN to 7777 all answered? What was not."""
    missing = []
    net.send(net.eth(0x0806, arp_request(), dst=b"\xff" * 6))
    if not wait_for(net, lambda f: f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x02"):
        missing.append("ARP")
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x4D6F, tag) + b"mote-alive"
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    net.send(net.eth(0x0800, ipv4(1, icmp)))
    if not wait_for(net, lambda f: f[23:24] == b"\x01" and f[34] == 0 and f[38:40] == b"\x4d\x6f"):
        missing.append("ping")
    port = 40000 + tag
    net.send(net.eth(0x0800, ipv4(6, tcp(port, 7777, 0x02))))
    if not wait_for(net, lambda f: f[23:24] == b"\x06" and f[34:36] == b"\x1e\x61" and f[47] & 0x12 == 0x12):
        missing.append("SYN-ACK")
    net.send(net.eth(0x0800, ipv4(6, tcp(port, 7777, 0x04, seq=1001))))  # RST: forget it
    return missing


def batches(net):
    e = net.eth
    yield "runts", [b"\x01", b"\x00" * 13, e(0x0800, b"")]
    yield "ethertypes", [e(t, bytes(rng.randrange(256) for _ in range(40))) for t in (0x0800, 0x86DD, 0x0806, 0x8100, 0x88CC, 0xFFFF)]
    good = tcp(1, 7777, 0x02)
    yield "IPv4 headers", [
        e(0x0800, b"\x45\x00\x00"),  # truncated
        e(0x0800, b"\x4f" + b"\x00" * 19),  # IHL 60, 20 bytes there
        e(0x0800, ipv4(6, good)[:2] + b"\xff\xff" + ipv4(6, good)[4:]),  # total length past the frame
        e(0x0800, ipv4(6, good)[:2] + b"\x00\x05" + ipv4(6, good)[4:]),  # total length below the header
        e(0x0800, b"\x65" + ipv4(6, good)[1:]),  # version 6 in an IPv4 frame
        e(0x0800, ipv4(6, good)[:10] + b"\xde\xad" + ipv4(6, good)[12:]),  # bad checksum
        e(0x0800, ipv4(6, good, ttl=0)),
        e(0x0800, ipv4(6, good, src=GUEST_IP)),  # from itself
        e(0x0800, ipv4(6, good, src=bytes([255, 255, 255, 255]))),
    ]
    yield "TCP headers", [
        e(0x0800, ipv4(6, tcp(2, 7777, 0x02, doff=15))),  # data offset past the segment
        e(0x0800, ipv4(6, tcp(3, 7777, 0x02, doff=1))),  # below the header
        e(0x0800, ipv4(6, tcp(4, 7777, 0x02, opts=b"\x02\x00\x00\x00"))),  # MSS option of length 0
        e(0x0800, ipv4(6, tcp(5, 7777, 0x02, opts=b"\x03\xff\x00\x00"))),  # length past the header
        e(0x0800, ipv4(6, tcp(6, 7777, 0x02, opts=b"\x08\x01\x00\x00"))),  # timestamp of length 1
        e(0x0800, ipv4(6, tcp(7, 7777, 0x3F, data=b"x" * 100))),  # every flag
        e(0x0800, ipv4(6, tcp(8, 7777, 0x10, data=b"y" * 1000))),  # data on no connection
        e(0x0800, ipv4(6, tcp(9, 7777, 0x02)[:10])),  # truncated
    ]
    yield "UDP and ICMP", [
        e(0x0800, ipv4(17, struct.pack("!HHHH", 1, 9, 200, 0) + b"z" * 20)),  # length past the data
        e(0x0800, ipv4(17, struct.pack("!HHHH", 1, 9, 3, 0))),  # length below the header
        e(0x0800, ipv4(17, b"\x00\x01")),
        e(0x0800, ipv4(1, b"\x08")),  # ICMP truncated
        e(0x0800, ipv4(1, struct.pack("!BBHHH", 3, 3, 0, 0, 0) + b"\x45" + b"\0" * 10)),  # unreachable quoting junk
    ]
    frags = []
    for i in range(200):  # overlapping fragments of never-completed datagrams, offsets to the top
        frags.append(e(0x0800, ipv4(17, bytes(rng.randrange(256) for _ in range(64)), frag=0x2000 | (i * 7 % 8192), ident=i % 5)))
    frags.append(e(0x0800, ipv4(17, b"q" * 64, frag=0x1FFF)))  # last fragment at the top offset
    yield "IPv4 fragments", frags
    v6 = []
    for plen, nh, body in ((0xFFFF, 59, b""), (8, 0, b"\x3a\xff" + b"\0" * 6), (16, 0, b"\x00\x00" + b"\0" * 14), (40, 43, b"\x3a\x05\x00\x00" + b"\0" * 36), (8, 44, b"\x3a\x00\x00\x01\x00\x00\x00\x01")):
        v6.append(e(0x86DD, struct.pack("!IHBB", 0x60000000, plen, nh, 64) + b"\xfe\x80" + b"\0" * 14 + b"\xff\x02" + b"\0" * 13 + b"\x01" + body))
    yield "IPv6 headers", v6
    yield "ARP", [
        e(0x0806, struct.pack("!HHBBH", 1, 0x0800, 200, 4, 1) + b"\0" * 20),  # hardware length 200
        e(0x0806, struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2) + PEER_MAC + bytes([10, 0, 2, 15]) + b"\0" * 10),  # reply claiming its address
        e(0x0806, b"\x00\x01"),
    ]
    yield "random frames", [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 1515))) for _ in range(1000)]
    yield "big frames", [e(0x0800, ipv4(17, b"B" * 1472)), e(0x0800, b"\x45" + b"\0" * 9000), e(0x0800, b"\0" * 60000)]


def main():
    net = Net(sys.argv[1])
    deadline = time.time() + 60
    while not net.guest_mac and time.time() < deadline:  # its first frame names it
        net.send(net.eth(0x0806, arp_request(), dst=b"\xff" * 6))
        net.recv(0.5)
    if not net.guest_mac:
        print("the guest never sent a frame")
        return 1
    ok = True
    for _ in range(10):  # the program may not listen yet: up to a minute for it
        missing = alive(net, 0)
        if not missing:
            break
    print(f"before: {'alive' if not missing else 'no ' + ', '.join(missing)}", flush=True)
    ok &= not missing
    for tag, (name, frames) in enumerate(batches(net), 1):
        for f in frames:
            net.send(f)
        net.recv(0.3)
        missing = alive(net, tag)
        ok &= not missing
        print(f"{name} ({len(frames)}): {'alive' if not missing else 'no ' + ', '.join(missing)}", flush=True)
    return 0 if ok else 1


sys.exit(main())
