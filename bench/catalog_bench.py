#!/usr/bin/env python
"""Survey-scale prediction: `predict_catalog` on catalogues of 10,000 and 100,000 images (issue 19).

The catalogues link the shared sample's images (training and test) under new ids, in a temporary folder. For each:
img/s and peak RSS of `predict_catalog` (JPEG files to a written CSV; on the 10,000 also with `overlap=True`) with the ready model in a fresh process; beside
them, on the 10,000 images: `predict_images` + `write_submission`, what gz_predict ran before (everything decoded into
memory, no cache) and `predict_catalog` on a local Dask cluster of 2
workers. Then the crash test: a run on the 10,000 killed with SIGKILL half way through its shards, run again, and
compared with the uninterrupted run's file; and the bad-file test: 1,000 images of which 3 are corrupt and 1 missing,
through `gz_predict` (exit status and rows), and with `--strict`.
Usage: python bench/catalog_bench.py [--quick]
"""
import argparse, json, os, signal, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np, pandas as pd
from galaxyzoo_nb.core import find_data, TRAIN_DIR, TEST_DIR, CLASSES
import benchlib

def make_catalog(folder, n):
    "A catalogue of `n` images (links to the sample's images, cycled) with ids and relative file names."
    src = sorted((find_data()/TRAIN_DIR).glob('*.jpg')) + sorted((find_data()/TEST_DIR).glob('*.jpg'))
    imgs = Path(folder)/f'imgs_{n}'; imgs.mkdir(parents=True)
    rows = []
    for i in range(n):
        f = imgs/f'{5_000_000 + i}.jpg'; os.symlink(src[i % len(src)], f); rows.append((5_000_000 + i, f'imgs_{n}/{f.name}'))
    cat = Path(folder)/f'catalog_{n}.csv'
    pd.DataFrame(rows, columns=['id', 'file']).to_csv(cat, index=False)
    return cat

REPS = 3  # alternate runs of predict_catalog and predict_images on the smaller catalogue

RUN = """
import resource, sys, time
from galaxyzoo_nb.{mod} import {fn}
t = time.time(); {call}; secs = time.time() - t
print('RESULT', secs, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""

def measure(mod, fn, call):
    "Seconds and peak RSS (MB) of `call` in a fresh Python process."
    r = subprocess.run([sys.executable, '-c', RUN.format(mod=mod, fn=fn, call=call)], capture_output=True, text=True)
    if r.returncode: raise RuntimeError(r.stderr[-3000:])
    _, secs, rss = next(l for l in r.stdout.splitlines() if l.startswith('RESULT')).split()
    return float(secs), float(rss)

def main(quick=False):
    m = benchlib.meta()
    sizes = (1000, 5000) if quick else (10_000, 100_000)
    res = {}
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        cats = {n: make_catalog(d, n) for n in sizes}
        n0 = sizes[0]
        cat_s, img_s, rss_c, rss_i, ovl_s = [], [], [], [], []
        files = pd.read_csv(cats[n0]).file.map(lambda f: str(d/f)).tolist()
        (d/'files.json').write_text(json.dumps(files))
        for rep in range(REPS):  # alternately, so that a slow spell of the VM hits both: the median of each
            secs, rss = measure('catalog', 'predict_catalog', f"predict_catalog('default', {str(cats[n0])!r}, {str(d/f'out_{n0}.csv')!r}, progress=False)")
            cat_s.append(secs); rss_c.append(rss)
            secs, rss = measure('predict', 'predict_images, write_submission', f"import json; write_submission(predict_images('default', json.load(open({str(d/'files.json')!r})), progress=False), {str(d/'pi.csv')!r})")
            img_s.append(secs); rss_i.append(rss)
            secs, _ = measure('catalog', 'predict_catalog', f"predict_catalog('default', {str(cats[n0])!r}, {str(d/'out_ovl.csv')!r}, overlap=True, progress=False)")
            ovl_s.append(secs)
        res[f'catalog_{n0}'] = dict(images=n0, seconds=float(np.median(cat_s)), img_s=n0 / float(np.median(cat_s)), peak_rss_mb=max(rss_c),
                                    runs_img_s=[n0 / s for s in cat_s])
        res['predict_images'] = dict(images=n0, seconds=float(np.median(img_s)), img_s=n0 / float(np.median(img_s)), peak_rss_mb=max(rss_i),
                                     runs_img_s=[n0 / s for s in img_s])
        res['catalog_overlap'] = dict(images=n0, seconds=float(np.median(ovl_s)), img_s=n0 / float(np.median(ovl_s)), runs_img_s=[n0 / s for s in ovl_s])
        print(f"predict_catalog, {n0:,} images: {res[f'catalog_{n0}']['img_s']:.0f} img/s (median of {REPS}), peak RSS {max(rss_c):.0f} MB; "
              f"with decoding overlapped with prediction: {res['catalog_overlap']['img_s']:.0f} img/s", flush=True)
        print(f"predict_images + write_submission (all in memory, decoded afresh), {n0:,} images: {res['predict_images']['img_s']:.0f} img/s "
              f"(median of {REPS}), peak RSS {max(rss_i):.0f} MB", flush=True)
        n1 = sizes[1]
        secs, rss = measure('catalog', 'predict_catalog', f"predict_catalog('default', {str(cats[n1])!r}, {str(d/f'out_{n1}.csv')!r}, progress=False)")
        res[f'catalog_{n1}'] = dict(images=n1, seconds=secs, img_s=n1 / secs, peak_rss_mb=rss)
        print(f"predict_catalog, {n1:,} images: {n1 / secs:.0f} img/s, peak RSS {rss:.0f} MB", flush=True)
        secs, rss = measure('catalog', 'predict_catalog', f"predict_catalog('default', {str(cats[n0])!r}, {str(d/'out_dask.csv')!r}, workers=2, progress=False)")
        res['catalog_workers2'] = dict(images=n0, seconds=secs, img_s=n0 / secs, peak_rss_mb_main=rss)
        print(f"predict_catalog --workers 2, {n0:,} images: {n0 / secs:.0f} img/s (the main process: {rss:.0f} MB)", flush=True)
        dk = pd.read_csv(d/'out_dask.csv'); ref = pd.read_csv(d/f'out_{n0}.csv')
        res['catalog_workers2']['max_abs_diff'] = float(np.abs(dk[CLASSES].values - ref[CLASSES].values).max())
        # kill -9 half way, then resume
        out = d/'killed.csv'; work = out.with_name(out.name + '.parts'); n_chunks = -(-n0 // 2000)
        t = time.time()
        p = subprocess.Popen([sys.executable, '-c', f"from galaxyzoo_nb.catalog import predict_catalog; predict_catalog('default', {str(cats[n0])!r}, {str(out)!r}, progress=False)"])
        while len(list(work.glob('part-*.parquet'))) < n_chunks // 2 and p.poll() is None: time.sleep(0.05)
        os.kill(p.pid, signal.SIGKILL); p.wait(); t_first = time.time() - t
        shards = len(list(work.glob('part-*.parquet')))
        secs, _ = measure('catalog', 'predict_catalog', f"predict_catalog('default', {str(cats[n0])!r}, {str(out)!r}, progress=False)")
        kr = pd.read_csv(out)
        same = kr.GalaxyID.tolist() == ref.GalaxyID.tolist() and float(np.abs(kr[CLASSES].values - ref[CLASSES].values).max()) <= 1e-5
        res['kill_resume'] = dict(images=n0, shards=n_chunks, shards_when_killed=shards, first_run_s=t_first, second_run_s=secs,
                                  uninterrupted_s=res[f'catalog_{n0}']['seconds'], same_file=bool(same))
        print(f"killed with {shards} of {n_chunks} shards done after {t_first:.1f} s; the second run took {secs:.1f} s against "
              f"{res[f'catalog_{n0}']['seconds']:.1f} s uninterrupted; same output: {same}", flush=True)
        # bad files
        bad = d/'bad'; bad.mkdir()
        src = pd.read_csv(cats[n0]).file.map(lambda f: d/f).tolist()[:1000]
        for i, f in enumerate(src): os.symlink(f, bad/f'{7_000_000 + i}.jpg')
        for i in (10, 500, 900): (bad/f'{7_000_000 + i}.jpg').unlink(); (bad/f'{7_000_000 + i}.jpg').write_bytes(Path(src[i]).read_bytes()[:1500])
        (bad/f'{7_000_000 + 999}.jpg').unlink(); os.symlink(d/'nowhere.jpg', bad/f'{7_000_000 + 999}.jpg')
        gz = str(Path(sys.executable).parent/'gz_predict')
        r = subprocess.run([gz, 'default', str(bad), '--out', str(d/'bad.csv')], capture_output=True, text=True)
        errs = pd.read_csv(d/'bad.errors.csv') if (d/'bad.errors.csv').exists() else pd.DataFrame()
        rs = subprocess.run([gz, 'default', str(bad), '--out', str(d/'bad_strict.csv'), '--strict'], capture_output=True, text=True)
        res['bad_files'] = dict(images=1000, exit_status=r.returncode, rows=len(pd.read_csv(d/'bad.csv')), errors=len(errs),
                                reasons=errs.get('reason', pd.Series(dtype=str)).str.slice(0, 60).tolist(), summary=r.stdout.strip().splitlines()[-1],
                                strict_exit_status=rs.returncode, strict_output_exists=(d/'bad_strict.csv').exists())
        print(f"1,000 images, 3 corrupt and 1 missing: exit {r.returncode}, {res['bad_files']['rows']} rows, {len(errs)} in the errors file; "
              f"--strict: exit {rs.returncode}, output written: {(d/'bad_strict.csv').exists()}", flush=True)
    big, small = res[f'catalog_{sizes[1]}'], res[f'catalog_{sizes[0]}']
    res['rss_ratio'] = big['peak_rss_mb'] / small['peak_rss_mb']
    res['throughput_vs_predict_images'] = small['img_s'] / res['predict_images']['img_s']
    print(f"peak RSS {sizes[1]:,} / {sizes[0]:,}: {res['rss_ratio']:.2f}; catalog / predict_images throughput: {res['throughput_vs_predict_images']:.2f}")
    benchlib.save('catalog_bench', res, quick=quick, meta_=m)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--quick', action='store_true', help='1,000 and 5,000 images: check the script (saved under results/quick/)')
    main(p.parse_args().quick)
