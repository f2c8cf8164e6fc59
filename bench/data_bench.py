#!/usr/bin/env python
"""Data-pipeline throughput on the shared sample (images/s), as asked in issue 3.

(a) plain PIL: full decode + centre crop 256 + resize to 64, one thread
(b) the library's decode path: `load_galaxy` (JPEG draft mode), one thread; and `galaxy_arrays` (threads, no cache)
(c) a full pass of `dls.train` (items -> PIL -> tensor -> augment -> normalise -> collate) from the decode-once
    cache, and with `cache=False` items decoded on every access
Usage: python bench/data_bench.py [--n 2000]
"""
import argparse, time, tempfile, os, platform
import numpy as np, torch
from PIL import Image
from galaxyzoo_nb.core import find_data, TRAIN_DIR
from galaxyzoo_nb.data import load_galaxy, crop_box, galaxy_arrays, galaxy_df, galaxy_dblock

def rate(n, t): return f"{n/t:8.0f} img/s  ({n} images, {t:.1f}s)"

def plain_pil(fn, crop=256, size=64):
    im = Image.open(fn).convert('RGB')
    return im.crop(crop_box(*im.size, crop)).resize((size, size), Image.Resampling.BILINEAR)

def main(n):
    torch.set_num_threads(2)
    files = sorted((find_data()/TRAIN_DIR).glob('*.jpg'))[:n]
    for f in files: f.read_bytes()  # warm the OS file cache so every path reads from memory
    print(f"{platform.node()} · {os.cpu_count()} CPUs · torch {torch.__version__} · {time.strftime('%Y-%m-%d')}")
    t = time.time(); [plain_pil(f) for f in files]; print("(a) PIL full decode + crop + resize, 1 thread :", rate(n, time.time()-t))
    t = time.time(); [load_galaxy(f) for f in files]; print("(b) load_galaxy (draft mode), 1 thread        :", rate(n, time.time()-t))
    t = time.time(); galaxy_arrays(files, cache=False, progress=False); print("(b) galaxy_arrays, 2 threads, no cache      :", rate(n, time.time()-t))
    df = galaxy_df().iloc[:n]
    with tempfile.TemporaryDirectory() as d:
        os.environ['GALAXYZOO_CACHE'] = d
        for cache in (True, False):
            t = time.time(); dls = galaxy_dblock(cache=cache).dataloaders(df, bs=64, num_workers=0); t_build = time.time()-t
            nt = len(dls.train.items) // 64 * 64
            t = time.time()
            for _ in dls.train: pass
            dt = time.time()-t
            label = 'cache (decode once)' if cache else 'no cache (decode every time)'
            print(f"(c) dls.train full pass, {label:28s}: {rate(nt, dt)}  [building dls: {t_build:.1f}s]")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0]); p.add_argument('--n', type=int, default=2000)
    main(p.parse_args().n)
