"""A/B speed bench: the current tree against another commit, on the same files, alternated, several rounds.

    python bench/ab_bench.py --base fc948e8            # 3 rounds; about 8 minutes on an idle 2-core machine

Runs, for the current tree and for REV (checked out as a temporary git worktree, imported through PYTHONPATH from
the same virtual environment):
- `gz_predict default IMGS` end to end (4-view TTA, int8 where the model is calibrated), IMGS being the shared
  sample's train and test images repeated under distinct integer names to `--n` (default 21,660: 3 copies) as
  symbolic links in a temporary folder (no data is copied);
- `gz_embed default IMGS` on the same files (where the tree has it);
- `gz_train --epochs 1 --n 2000`: the seconds of its training epoch, from the summary it writes;
alternating which tree goes first in each round. Ratios are current / REV per round (robust to a load that changes
slowly), then their median. Once per tree, `--probe` measures the core time per image of each stage of prediction
on one thread (listing, decoding, the int8 network at 4 views, the rest of `get_preds`, the features network,
writing): the sum over stages against the cores gives the throughput this CPU can reach at best.
The JSON (`benchlib.save`: the CPU model and its flags, with `os.getloadavg()` around every run) goes to
`bench/results/ab_bench/`; `nbs/results.ipynb` shows the last one. `--quick` (600 images, one round) checks that it
works and writes under `bench/results/quick/`.
"""
from __future__ import annotations
import argparse, json, os, re, shutil, signal, statistics, subprocess, sys, tempfile, time
from pathlib import Path
import benchlib

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

def load()->list: return [round(v, 2) for v in os.getloadavg()]

def sample_images(n:int, folder:Path)->Path:
    "A folder of `n` symbolic links to the sample's JPEGs (train, then test), repeated with a copy digit before the id."
    from galaxyzoo_nb.core import TRAIN_DIR, TEST_DIR
    d = data_dir()
    src = sorted((d/TRAIN_DIR).glob('*.jpg')) + sorted((d/TEST_DIR).glob('*.jpg'))
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        f = src[k % len(src)]
        os.symlink(f, folder/f"{k // len(src) + 1}{f.name}")
    return folder

def data_dir()->Path:
    "The labelled data both trees use (`core.find_data`, as the current tree finds it)."
    sys.path.insert(0, str(ROOT))
    from galaxyzoo_nb.core import find_data
    return find_data()

def env_for(tree:Path, cache:Path)->dict:
    "The environment that imports `galaxyzoo_nb` from `tree` (and finds the same data from any folder)."
    return dict(os.environ, PYTHONPATH=str(tree), GALAXYZOO_CACHE=str(cache), GALAXYZOO_DATA=str(data_dir()), PYTHONWARNINGS='ignore')

def has_command(tree:Path, cmd:str)->bool: return f'def {cmd}(' in (tree/'galaxyzoo_nb'/'cli.py').read_text()

def run_cmd(tree, cache, args, cwd)->dict:
    "Run a console script against `tree`: wall seconds, the img/s it printed, the load before and after."
    l0, t = load(), time.perf_counter()
    r = subprocess.run([sys.executable, str(BIN/args[0]), *map(str, args[1:])], env=env_for(tree, cache), cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if r.returncode: raise RuntimeError(f"{' '.join(map(str, args))} failed in {tree}:\n{r.stderr[-3000:]}")
    m = re.search(r'\(([\d.]+) img/s', r.stdout)
    return dict(wall_s=round(wall, 2), img_s=float(m.group(1)) if m else None, load_before=l0, load_after=load())

def train_epoch(tree, cache, work, n=2000)->dict:
    "`gz_train --epochs 1 --n n`: its epoch's seconds (from summary.json) and the whole command's wall time."
    out = work/'m'
    shutil.rmtree(out, ignore_errors=True)
    r = run_cmd(tree, cache, ['gz_train', '--epochs', 1, '--n', n, '--out', out], work)
    hist = json.loads((out/'summary.json').read_text())['history']
    return dict(r, epoch_s=round(hist[-1]['seconds'], 3), n_train=hist[-1].get('n_train'))

def probe(imgs:str, n:int=384)->dict:
    "Core time per image (µs, one thread) of each prediction stage, with whatever API this tree has (run under its PYTHONPATH)."
    import warnings; warnings.simplefilter('ignore')
    import numpy as np, torch
    torch.set_num_threads(1)
    from galaxyzoo_nb import data as D, predict as P, modelfile as MF, catalog as C
    ct = time.thread_time
    t = ct(); items = (D.list_images if hasattr(D, 'list_images') else C.catalog_items)(imgs); listing = (ct() - t) / len(items)
    files = items['file'].tolist()[:n]
    learn = (getattr(MF, 'read_model', None) or MF.load_model)('default')
    gx = D.galaxy_x(learn.dls)
    dec = (lambda f: D.read_galaxy(f, gx.crop, gx.size)[0]) if hasattr(D, 'read_galaxy') else (lambda f: np.asarray(D.load_galaxy(f, gx.crop, gx.size)))
    for f in files[:32]: dec(f)
    t = ct(); arr = np.stack([dec(f) for f in files]); decode = (ct() - t) / n
    res = dict(listing=listing * 1e6, decode=decode * 1e6)
    p = P.make_predictor(learn, 4, True, False)
    xb = torch.randn(64, 3, gx.size, gx.size)
    def net(pm):
        with torch.inference_mode():
            pm.eval(); pm(xb)
            t = ct()
            for _ in range(n // 64): pm(xb)
            return (ct() - t) / (n // 64 * 64) * 1e6
    res['network_int8_4views'] = net(p['pm'])
    P.predict_arrays(learn, arr[:64], predictor=p)
    t = ct(); df = P.predict_arrays(learn, arr, list(range(n)), predictor=p); whole = (ct() - t) / n * 1e6
    res['get_preds_rest'] = max(whole - res['network_int8_4views'], 0.)
    try:
        pf = P.make_predictor(learn, 4, features=True)
        res['network_features_4views'] = net(pf['pm'])
        res['features_int8'] = type(pf['pm'].model).__name__ == 'Int8Model'
    except TypeError: res['network_features_4views'] = None  # (a tree without features)
    with tempfile.TemporaryDirectory() as d:
        t = ct(); P.write_submission(df, Path(d)/'s.csv'); res['write'] = (ct() - t) / n * 1e6
    res = {k: (round(v, 1) if isinstance(v, float) else v) for k, v in res.items()}
    core = sum(res[k] for k in ('listing', 'decode', 'network_int8_4views', 'get_preds_rest', 'write'))
    res['core_us_per_image'] = round(core, 1)
    res['best_img_s_on_all_cores'] = round(os.cpu_count() * 1e6 / core, 1)
    return res

def run_probe(tree, cache, imgs)->dict:
    r = subprocess.run([sys.executable, __file__, '--probe', str(imgs)], env=env_for(tree, cache), capture_output=True, text=True)
    if r.returncode: raise RuntimeError(f"probe failed in {tree}:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])

def git(*args, cwd=ROOT)->str: return subprocess.run(['git', *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()

def median_ratio(rows, key, num='cur', den='base', larger_better=True):
    "Median over rounds of cur/base for `key` (a speed: larger is better; a time: base/cur, so > 1 is faster)."
    rs = [(r[num][key] / r[den][key]) if larger_better else (r[den][key] / r[num][key]) for r in rows if r.get(num) and r.get(den)]
    return round(statistics.median(rs), 4) if rs else None

def main(base:str, rounds:int=3, n:int=21_660, quick:bool=False, train_n:int=2000):
    t_start, meta = time.perf_counter(), benchlib.meta()
    base_hash = git('rev-parse', base)
    tmp = Path(tempfile.mkdtemp(prefix='ab_bench_'))
    wt = tmp/'base'
    git('worktree', 'add', '--detach', str(wt), base_hash)
    trees = dict(cur=ROOT, base=wt)
    try:
        imgs = sample_images(n, tmp/'imgs')
        cache = tmp/'cache'
        embed_ok = {k: has_command(t, 'gz_embed') for k, t in trees.items()}
        res = dict(base=base, base_commit=base_hash, n_images=n, rounds=rounds, train_n=train_n, load_at_start=load(), predict=[], embed=[], train=[])
        print(f"ab_bench: {meta['commit']}{'+dirty' if meta['dirty'] else ''} vs {base} ({base_hash[:8]}), {n:,} images, {rounds} rounds, "
              f"{meta['cpu']} × {meta['cores']}, load {res['load_at_start']}", flush=True)
        for r in range(rounds):
            order = ('base', 'cur') if r % 2 == 0 else ('cur', 'base')
            p, e, tr = {}, {}, {}
            for k in order:
                p[k] = run_cmd(trees[k], cache, ['gz_predict', 'default', imgs, '--out', tmp/f'p_{k}.csv'], tmp)
                print(f"round {r + 1} {k:4s} gz_predict {p[k]['img_s']:7.1f} img/s  load {p[k]['load_before']}", flush=True)
            for k in order:
                if not embed_ok[k]: continue
                e[k] = run_cmd(trees[k], cache, ['gz_embed', 'default', imgs, '--out', tmp/f'e_{k}.parquet'], tmp)
                print(f"round {r + 1} {k:4s} gz_embed   {e[k]['img_s']:7.1f} img/s  load {e[k]['load_before']}", flush=True)
            for k in order:
                tr[k] = train_epoch(trees[k], cache, tmp, train_n)
                print(f"round {r + 1} {k:4s} gz_train   epoch {tr[k]['epoch_s']:6.2f} s  load {tr[k]['load_before']}", flush=True)
            res['predict'].append(dict(round=r + 1, order=order, **p)); res['embed'].append(dict(round=r + 1, **e)); res['train'].append(dict(round=r + 1, **tr))
        res['stages'] = {k: run_probe(t, cache, imgs) for k, t in trees.items()}
        res['ratios'] = dict(predict=median_ratio(res['predict'], 'img_s'), embed=median_ratio(res['embed'], 'img_s'),
                             train_epoch=median_ratio(res['train'], 'epoch_s', larger_better=False),
                             embed_vs_predict_cur=round(statistics.median(e['cur']['img_s'] / p['cur']['img_s'] for e, p in zip(res['embed'], res['predict']) if e.get('cur')), 4) if embed_ok['cur'] else None)
        res['median_img_s'] = {f'{c}_{k}': round(statistics.median(x[k]['img_s'] for x in res[c] if x.get(k)), 1)
                               for c in ('predict', 'embed') for k in trees if any(x.get(k) for x in res[c])}
        res['load_at_end'], res['minutes'] = load(), round((time.perf_counter() - t_start) / 60, 2)
    finally:
        git('worktree', 'remove', '--force', str(wt))
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(dict(ratios=res['ratios'], median_img_s=res['median_img_s'], minutes=res['minutes']), indent=1))
    benchlib.save('ab_bench', res, quick=quick, meta_=meta)
    return res

if __name__ == '__main__':
    if len(sys.argv) == 3 and sys.argv[1] == '--probe': print(json.dumps(probe(sys.argv[2]))); sys.exit()
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--base', required=True, help="the commit to compare with (any git revision), e.g. fc948e8")
    ap.add_argument('--rounds', type=int, default=3, help="alternated rounds (default 3)")
    ap.add_argument('--n', type=int, default=21_660, help="images predicted and embedded (default 21,660: the sample's 7,220 three times)")
    ap.add_argument('--train-n', type=int, default=2000, help="labelled galaxies of the training epoch (default 2,000: 1,600 trained on)")
    ap.add_argument('--quick', action='store_true', help="check that it works: 600 images, one round, a smaller epoch (written under results/quick/)")
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # (a `kill` still removes the worktree and the links: `finally` runs)
    main(a.base, 1 if a.quick else a.rounds, 600 if a.quick else a.n, a.quick, 600 if a.quick else a.train_n)
