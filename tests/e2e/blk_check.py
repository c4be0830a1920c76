"""blk_check.py IMAGE none|write-zeroes: does IMAGE hold exactly what the kernel's virtio_blk
self-test (kernel/test/test_blk.c) writes? PATTERN(o) = (o * 0x9e3779b1 >> 24) & 0xff at byte
offset o of its ranges (sector, count), zeros elsewhere (and over the write-zeroes range when
the device had it). Prints "as written", or the first byte that differs."""
import sys
img = open(sys.argv[1], "rb").read()
sectors = len(img) // 512
want = bytearray(len(img))
for s, n in [(0, 1), (8, 8), (2048, 2048), (4097, 25), (sectors - 1, 1), (8192, 4 * 512)]:
    o = s * 512
    want[o:o + n * 512] = bytes((x * 0x9E3779B1 >> 24) & 0xFF for x in range(o, o + n * 512))
if sys.argv[2] == "write-zeroes":
    want[2148 * 512:2164 * 512] = bytes(16 * 512)
if img == want:
    print("as written")
else:
    bad = next(i for i in range(len(img)) if img[i] != want[i])
    print("byte %d (sector %d): %d, not %d" % (bad, bad // 512, img[bad], want[bad]))
