"""echo_client.py HOST PORT SIZE...: one connection per SIZE to an echo server: SIZE random
bytes sent (by a second thread, while this one reads: a client that wrote everything before
reading would stall once the buffers on the way are full, whatever the peer), the write side
shut, everything read back; prints "SIZE: echoed" (or the count received) per connection, for
the network tests."""
import os
import socket
import sys
import threading

host, port = sys.argv[1], int(sys.argv[2])
for size in map(int, sys.argv[3:]):
    data = os.urandom(size)
    with socket.create_connection((host, port), timeout=30) as c:

        def send():
            c.sendall(data)
            c.shutdown(socket.SHUT_WR)

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        got = b""
        while chunk := c.recv(65536):
            got += chunk
        sender.join(30)
    print(f"{size}: {'echoed' if got == data else len(got)}")
