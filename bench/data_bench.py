#!/usr/bin/env python
"""Data-pipeline throughput on the shared sample (images/s), as asked in issue 3.

(a) plain PIL: full decode + centre crop 256 + resize to 64, one thread
(b) the library's decode path: `load_galaxy` (JPEG draft mode), one thread; and `galaxy_arrays` (threads, no cache)
(c) a full pass of `dls.train` (cached arrays -> tensor -> augment -> normalise -> collate) with the default ('full')
    augmentation, after the decode-once cache is built
(d) the data pipeline's share of a training epoch of the default recipe (`gz_train`'s crop, `n_models` and weight decay,
    bf16 where the CPU has it, one-cycle) on the whole sample
Besides printing them, the figures are saved by `benchlib.save` as JSON under bench/results/data_bench/ (--quick runs
under bench/results/quick/), which nbs/results.ipynb renders.
Usage: python bench/data_bench.py [--n 2000] [--quick]
"""
import argparse, time, tempfile, os, platform
import numpy as np, torch
from PIL import Image
from galaxyzoo_nb.core import find_data, TRAIN_DIR
from galaxyzoo_nb.data import load_galaxy, crop_box, galaxy_arrays, galaxy_df, galaxy_dblock, galaxy_dls
from galaxyzoo_nb.train import train_learner
import benchlib

def rate(n, t): return f"{n/t:8.0f} img/s  ({n} images, {t:.1f}s)"

def plain_pil(fn, crop=256, size=64):
    im = Image.open(fn).convert('RGB')
    return im.crop(crop_box(*im.size, crop)).resize((size, size), Image.Resampling.BILINEAR)

def main(n, quick=False):
    torch.set_num_threads(2)
    m = benchlib.meta()
    files = sorted((find_data()/TRAIN_DIR).glob('*.jpg'))[:n]
    n = len(files)
    for f in files: f.read_bytes()  # warm the OS file cache so every path reads from memory
    print(f"{platform.node()} · {os.cpu_count()} CPUs · torch {torch.__version__} · {time.strftime('%Y-%m-%d')}")
    rates = []
    def report(key, label, images, t, threads):
        rates.append(dict(step=key, what=label.strip(), images=images, seconds=t, img_s=images / t, threads=threads))
        return rate(images, t)
    t = time.time(); [plain_pil(f) for f in files]; print("(a) PIL full decode + crop + resize, 1 thread :", report('a', 'PIL full decode + crop + resize', n, time.time()-t, 1))
    t = time.time(); [load_galaxy(f) for f in files]; print("(b) load_galaxy (draft mode), 1 thread        :", report('b', 'load_galaxy (draft mode)', n, time.time()-t, 1))
    t = time.time(); galaxy_arrays(files, cache=False, progress=False); print("(b) galaxy_arrays, 2 threads, no cache      :", report('b', 'galaxy_arrays, no cache', n, time.time()-t, 2))
    df = galaxy_df().iloc[:n]
    prev_cache = os.environ.get('GALAXYZOO_CACHE')
    with tempfile.TemporaryDirectory() as d:
        os.environ['GALAXYZOO_CACHE'] = d
        t = time.time(); dls = galaxy_dblock().dataloaders(df, bs=64, num_workers=0); t_build = time.time()-t
        nt = len(dls.train.items) // 64 * 64
        t = time.time()
        for _ in dls.train: pass
        print(f"(c) dls.train full pass (cached arrays, 'full' aug)  : {report('c', 'dls.train full pass (cached arrays, full aug)', nt, time.time()-t, 2)}  [building dls incl. decode: {t_build:.1f}s]")
    if prev_cache is None: del os.environ['GALAXYZOO_CACHE']  # (d) uses the cache folder `gz_train` uses
    else: os.environ['GALAXYZOO_CACHE'] = prev_cache
    # whole sample, as `gz_train` makes them (cache in the default folder); --quick: a subset, to check the script
    dls = galaxy_dls(n=1000 if quick else None)   # (the default crop and size: the default recipe's)
    learn = train_learner(dls)                     # the default recipe's model
    learn.fit_one_cycle(1, 3e-3)   # warm-up epoch
    with learn.no_bar(), learn.no_logging():
        t = time.time(); learn.fit_one_cycle(1, 3e-3); epoch = time.time()-t
    t = time.time()
    for _ in dls.train: pass
    for _ in dls.valid: pass
    data = time.time()-t
    print(f"(d) default epoch {epoch:.1f}s ({len(dls.train_ds)} train + {len(dls.valid_ds)} valid images); data pipeline alone "
          f"{data:.1f}s = {100*data/epoch:.1f}% of the epoch")
    benchlib.save('data_bench', dict(n=n, rates=rates, build_dls_s=t_build,
                                     epoch=dict(epoch_s=epoch, n_train=len(dls.train_ds), n_valid=len(dls.valid_ds),
                                                data_s=data, data_share=data / epoch)), quick=quick, meta_=m)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0]); p.add_argument('--n', type=int, default=2000)
    p.add_argument('--quick', action='store_true', help='300 images, (d) on 1,000: check the script, not the figures (saved under results/quick/)')
    a = p.parse_args()
    main(300 if a.quick else a.n, a.quick)
