#!/usr/bin/env python
"""The web app of `gz_explore` on large catalogues: gallery page time at 1,000, 10,000 and 100,000 galaxies (issue 31).

Each catalogue is a predictions Parquet file (37 answers and their `_std` columns, made-up values from a seeded
generator) whose `file` column names the shared sample's images, cycled, under new ids. For each size, in a fresh
process: the time to load it (`explore_app`), then over HTTP (`AppServer`, 127.0.0.1) the median time of gallery
pages (default sort; another column ascending; a two-clause filter; a page deep in the list), of a galaxy's page, of
the first thumbnail (made, then cached) and of a page's 48 thumbnails fetched 6 at a time as a browser does (cold
cache, then warm), and the process's peak RSS (and its RSS once the package is imported, before the catalogue loads).
Usage: python bench/explore_bench.py [--quick]
"""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np, pandas as pd
from galaxyzoo_nb.core import find_data, TRAIN_DIR, TEST_DIR, CLASSES, STD_CLASSES
import benchlib

def make_catalogue(folder, n, seed=0):
    "A predictions Parquet of `n` galaxies (made-up answers and `_std`s) naming the sample's images, cycled, under new ids."
    src = [str(f) for f in sorted((find_data()/TRAIN_DIR).glob('*.jpg')) + sorted((find_data()/TEST_DIR).glob('*.jpg'))]
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.uniform(0, 1, (n, len(CLASSES))).astype(np.float32), columns=CLASSES)
    df[STD_CLASSES] = rng.uniform(0, .2, (n, len(CLASSES))).astype(np.float32)
    df.insert(0, 'GalaxyID', np.arange(5_000_000, 5_000_000 + n))
    df['file'] = [src[i % len(src)] for i in range(n)]
    fn = Path(folder)/f'pred_{n}.parquet'
    df.to_parquet(fn, index=False)
    return fn

RUN = r"""
import json, resource, sys, time, urllib.request
from concurrent.futures import ThreadPoolExecutor
import numpy as np
from galaxyzoo_nb.explore import explore_app, AppServer, PAGE
fn, reps = sys.argv[1], int(sys.argv[2])
import_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # (torch and fastai, which the package imports)
t = time.perf_counter(); app = explore_app(fn); load = time.perf_counter() - t
def get(url):
    t = time.perf_counter()
    with urllib.request.urlopen(url) as r: body = r.read(); assert r.status == 200, url
    return time.perf_counter() - t, body
res = dict(load_s=load)
with AppServer(app) as srv:
    pages = dict(default='/', sort_asc='/?sort=Class4.1&order=asc', filter='/?sort=Class1.1&q=Class1.2+%3E+0.5+and+Class2.1+%3C+0.2',
                 deep='/?sort=Class6.1&page=1000')
    get(srv.url + '/')                                            # (warm-up: the first request imports what the pages need)
    res['page_s'] = {k: float(np.median([get(srv.url + u)[0] for _ in range(reps)])) for k, u in pages.items()}
    cat = app.state.catalogue
    keys = [cat.keys[r] for r in cat.select('Class1.1', True, '')[:PAGE]]
    res['galaxy_page_s'] = float(np.median([get(f'{srv.url}/galaxy/{keys[0]}')[0] for _ in range(reps)]))
    res['first_thumb_cold_s'] = get(f'{srv.url}/thumb/{keys[0]}')[0]
    res['first_thumb_warm_s'] = get(f'{srv.url}/thumb/{keys[0]}')[0]
    def all_thumbs():
        t = time.perf_counter()
        with ThreadPoolExecutor(6) as ex: list(ex.map(lambda k: get(f'{srv.url}/thumb/{k}'), keys[1:]))
        return time.perf_counter() - t
    res['page_thumbs_cold_s'], res['page_thumbs_warm_s'] = all_thumbs(), all_thumbs()
    res['n_thumbs'] = len(keys) - 1
app.state.close()
res['peak_rss_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
res['import_rss_mb'] = import_rss
print('RESULT', json.dumps(res))
"""

def measure(fn, reps):
    "The figures of the app over catalogue `fn`, from a fresh Python process."
    r = subprocess.run([sys.executable, '-c', RUN, str(fn), str(reps)], capture_output=True, text=True)
    line = next((l for l in r.stdout.splitlines() if l.startswith('RESULT ')), None)
    if line is None: raise RuntimeError(f"the run over {fn} failed:\n{r.stderr[-3000:]}")
    return json.loads(line[7:])

def main(quick=False):
    m = benchlib.meta()
    sizes, reps = ((1000, 10_000) if quick else (1000, 10_000, 100_000)), (3 if quick else 7)
    res = dict(sizes=list(sizes), reps=reps, runs={})
    with tempfile.TemporaryDirectory() as d:
        for n in sizes:
            fn = make_catalogue(d, n)
            r = res['runs'][str(n)] = measure(fn, reps)
            print(f"{n:>7,} galaxies: load {r['load_s']:.2f} s; gallery page " +
                  ', '.join(f"{k} {v * 1000:.0f} ms" for k, v in r['page_s'].items()) +
                  f"; galaxy page {r['galaxy_page_s'] * 1000:.0f} ms; first thumbnail {r['first_thumb_cold_s'] * 1000:.0f} ms "
                  f"(cached {r['first_thumb_warm_s'] * 1000:.1f} ms); a page's {r['n_thumbs']} thumbnails {r['page_thumbs_cold_s']:.2f} s "
                  f"(cached {r['page_thumbs_warm_s']:.2f} s); peak RSS {r['peak_rss_mb']:.0f} MB ({r['import_rss_mb']:.0f} MB after the imports)", flush=True)
    benchlib.save('explore_bench', res, quick=quick, meta_=m)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--quick', action='store_true', help='1,000 and 10,000 galaxies: check the script (saved under results/quick/)')
    main(p.parse_args().quick)
