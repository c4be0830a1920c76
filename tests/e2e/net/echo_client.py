"""echo_client.py HOST PORT SIZE...: one connection per SIZE to an echo server: SIZE random
bytes sent, the write side shut, everything read back; prints "SIZE: echoed" (or the count
received) per connection, for the network tests."""
import os
import socket
import sys

host, port = sys.argv[1], int(sys.argv[2])
for size in map(int, sys.argv[3:]):
    data = os.urandom(size)
    with socket.create_connection((host, port), timeout=30) as c:
        c.sendall(data)
        c.shutdown(socket.SHUT_WR)
        got = b""
        while chunk := c.recv(65536):
            got += chunk
    print(f"{size}: {'echoed' if got == data else len(got)}")
