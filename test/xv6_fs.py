#!/usr/bin/env python3
"""Write an xv6 file system image holding the given files in its root.

xv6 builds its fs.img with a host tool of its own, which the fixture copy in
../shared/fixtures lacks; this writes the same on-disk format (described in
the xv6 source's kernel/fs.h), with the sizes read from that source's
kernel/param.h and kernel/fs.h, so the image always matches the kernel the
tests build.

Layout, in blocks of BSIZE bytes:
  0 boot (unused) | 1 superblock | log | inodes | free bitmap | data
The root directory is inode 1 and holds ".", ".." and one entry per file;
a file's blocks are its inode's direct addresses, then one indirect block.
All integers are little-endian, as on RISC-V.

usage: xv6_fs.py XV6_SOURCE_DIR IMAGE FILE...
A file named "_name" (xv6's build names user programs so) is stored as "name".
"""

import os
import re
import struct
import sys

INODES = 200  # inode slots; xv6's kernel reads the count from the superblock
T_DIR, T_FILE = 1, 2
DINODE = "<hhhhI13I"  # type, major, minor, nlink, size, addrs[NDIRECT+1]
DIRENT = "<H14s"  # inum, name[DIRSIZ]


def header_constants(path, known):
    """The integer #defines of a C header, evaluating simple expressions."""
    values = dict(known)
    with open(path) as f:
        for line in f:
            m = re.match(r"\s*#define\s+(\w+)\s+([^/]+?)\s*(//.*)?$", line)
            if not m:
                continue
            expr = m.group(2).replace("sizeof(uint)", "4")
            expr = re.sub(r"\b(\d+)[uUlL]+\b", r"\1", expr)
            if not re.fullmatch(r"[\w\s()+*/-]+", expr):
                continue
            try:
                values[m.group(1)] = int(eval(expr.replace("/", "//"), {}, values))
            except (NameError, SyntaxError, TypeError, ZeroDivisionError):
                pass
    return values


class Image:
    def __init__(self, src):
        c = header_constants(os.path.join(src, "kernel", "param.h"), {})
        c = header_constants(os.path.join(src, "kernel", "fs.h"), c)
        for name in ("FSSIZE", "LOGSIZE", "BSIZE", "NDIRECT", "FSMAGIC", "ROOTINO", "DIRSIZ"):
            if name not in c:
                raise SystemExit("xv6_fs: %s not found in %s/kernel" % (name, src))
        self.bsize = c["BSIZE"]
        self.ndirect = c["NDIRECT"]
        self.nindirect = self.bsize // 4
        if self.ndirect != 12 or c["DIRSIZ"] != 14:
            raise SystemExit("xv6_fs: this xv6's inode or directory entry layout is not the known one")
        self.ipb = self.bsize // struct.calcsize(DINODE)
        size = c["FSSIZE"]
        nlog = c["LOGSIZE"]
        ninodeblocks = INODES // self.ipb + 1
        nbitmap = size // (self.bsize * 8) + 1
        self.logstart = 2
        self.inodestart = self.logstart + nlog
        self.bmapstart = self.inodestart + ninodeblocks
        nmeta = self.bmapstart + nbitmap
        self.size = size
        self.blocks = bytearray(size * self.bsize)
        struct.pack_into("<8I", self.blocks, self.bsize, c["FSMAGIC"], size, size - nmeta,
                         INODES, nlog, self.logstart, self.inodestart, self.bmapstart)
        self.next_block = nmeta
        self.next_inode = c["ROOTINO"]
        self.root = self.new_inode(T_DIR)
        self.root_entries = [(".", self.root), ("..", self.root)]

    def new_inode(self, kind):
        inum = self.next_inode
        if inum >= INODES:
            raise SystemExit("xv6_fs: more than %d files" % (INODES - 1))
        self.next_inode += 1
        self.write_inode(inum, kind, b"")
        return inum

    def alloc_block(self):
        b = self.next_block
        if b >= self.size:
            raise SystemExit("xv6_fs: the files do not fit in %d blocks" % self.size)
        self.next_block += 1
        return b

    def write_inode(self, inum, kind, data):
        """Give inode `inum` the contents `data`, in newly allocated blocks."""
        nblocks = (len(data) + self.bsize - 1) // self.bsize
        if nblocks > self.ndirect + self.nindirect:
            raise SystemExit("xv6_fs: a file of %d bytes is over xv6's largest" % len(data))
        addrs = []
        for i in range(nblocks):
            b = self.alloc_block()
            chunk = data[i * self.bsize:(i + 1) * self.bsize]
            self.blocks[b * self.bsize:b * self.bsize + len(chunk)] = chunk
            addrs.append(b)
        direct = addrs[:self.ndirect] + [0] * (self.ndirect - len(addrs[:self.ndirect]))
        indirect = 0
        if len(addrs) > self.ndirect:
            indirect = self.alloc_block()
            rest = addrs[self.ndirect:]
            struct.pack_into("<%dI" % len(rest), self.blocks, indirect * self.bsize, *rest)
        off = (self.inodestart + inum // self.ipb) * self.bsize
        off += (inum % self.ipb) * struct.calcsize(DINODE)
        struct.pack_into(DINODE, self.blocks, off, kind, 0, 0, 1, len(data), *direct, indirect)

    def add_file(self, name, data):
        if len(name.encode()) > 14 or "/" in name:
            raise SystemExit("xv6_fs: %r is not a valid xv6 file name" % name)
        self.root_entries.append((name, self.new_inode(T_FILE)))
        self.write_inode(self.root_entries[-1][1], T_FILE, data)

    def finish(self, path):
        entries = b"".join(struct.pack(DIRENT, inum, name.encode())
                           for name, inum in self.root_entries)
        # As xv6's own tool does, the root directory fills whole blocks.
        whole = (len(entries) // self.bsize + 1) * self.bsize
        self.write_inode(self.root, T_DIR, entries.ljust(whole, b"\0"))
        # Every block up to the last one allocated is in use.
        for b in range(self.next_block):
            self.blocks[self.bmapstart * self.bsize + b // 8] |= 1 << (b % 8)
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(self.blocks)
        os.replace(tmp, path)


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    img = Image(argv[1])
    for path in argv[3:]:
        name = os.path.basename(path)
        if name.startswith("_"):
            name = name[1:]
        with open(path, "rb") as f:
            img.add_file(name, f.read())
    img.finish(argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
