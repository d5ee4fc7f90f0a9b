#!/usr/bin/env python3
"""Generates the benchmark tree: ~300 MB of small and large files, half of it
compressible (text-like), half not (random), deterministic (fixed seed).

Usage: gen_tree.py DIR [TOTAL_MB]
"""
import os
import random
import sys

root = sys.argv[1]
total_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 300
rng = random.Random(42)
words = [("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))))
         for _ in range(2000)]


def text(n):
    out = []
    size = 0
    while size < n:
        line = " ".join(rng.choice(words) for _ in range(12)) + "\n"
        out.append(line)
        size += len(line)
    return "".join(out).encode()[:n]


def blob(n):
    # Random bytes interleaved with text: zstd finds some redundancy, not much.
    return rng.randbytes(n // 2) + text(n - n // 2)


os.makedirs(root, exist_ok=True)
large_total = total_mb * 2 // 3 << 20
small_total = (total_mb << 20) - large_total
# Large files: 10 files.
for i in range(10):
    with open(os.path.join(root, f"large-{i}.bin"), "wb") as f:
        f.write(blob(large_total // 10))
# Small files: 1-16 KiB in nested directories (like node_modules or a pip cache).
written = 0
i = 0
while written < small_total:
    n = rng.randint(1024, 16384)
    d = os.path.join(root, "small", f"pkg{i % 200:03d}", f"sub{(i // 200) % 10}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i}.txt"), "wb") as f:
        f.write(text(n))
    written += n
    i += 1
print(f"gen_tree: {root}: {total_mb} MB, 10 large files, {i} small files")
