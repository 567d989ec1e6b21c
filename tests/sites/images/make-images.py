#!/usr/bin/env python3
"""Writes the golden site's test images (run from anywhere; they are committed).

Small synthetic pictures made with the standard library only: PNGs of
colour bands, a one-frame GIF and an SVG, each a few hundred bytes.
photo.jpg and pic.webp are wide.png saved as JPEG and WebP by libvips 8.14
with its default settings (`vips copy wide.png photo.jpg`, from the
libvips-tools package); the standard library writes neither format."""
import os
import struct
import zlib

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "assets", "img")


def png(width, height, pixel):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    rows = b"".join(b"\0" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows, 9))
            + chunk(b"IEND", b""))


def gif(width, height):
    # One frame, a two-colour palette, every pixel colour 0: LZW codes
    # "clear, 0..., end" packed by hand for a minimum code size of 2.
    header = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0)
    palette = b"\x20\x60\xa0\xff\xff\xff"
    image = b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0) + b"\x02\x02\x44\x01\x00"
    return header + palette + image + b"\x3b"


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


os.makedirs(HERE, exist_ok=True)
write("lift.png", png(40, 30, lambda x, y: (200, 90, 60) if y < 15 else (60, 90, 200)))
write("wide.png", png(400, 120, lambda x, y: ((x // 80) * 60, 120, 200 - (x // 80) * 40)))
write("stretch.gif", gif(24, 16))
write("divider.svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="8" viewBox="0 0 120 8">'
      b'<rect width="120" height="8" fill="#3a6ea5"/></svg>\n')
