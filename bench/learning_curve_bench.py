#!/usr/bin/env python
"""How the default recipe's validation RMSE falls with the number of training galaxies (issue 22: is the plateau data?).

Each run is `train_galaxy`'s five public steps as `gz_train` runs them (default arguments, its 17-minute `TimeBudget`),
on the same fixed 20 % validation split of seed 42, with the training part of that split cut to a random fraction
(seed 0) of itself by the splitter given to the data step, so only the number of training galaxies changes. Per run: training galaxies, validation RMSE with 1, 4 and 8 dihedral views
as `gz_predict` predicts, epochs and minutes. A power law RMSE = b * n**-c is fitted to the runs (in log-log) and
the number of training galaxies at which it would reach `--target` is printed: an extrapolation, not a measurement.
The JSON (bench/results/learning_curve_bench/) is rewritten after every run.
Usage: python bench/learning_curve_bench.py [--fractions 0.25 0.5 1] [--seed 1] [--target 0.086] [--quick]
"""
import argparse, tempfile, time
from pathlib import Path
import numpy as np
from fastai.data.transforms import RandomSplitter
from galaxyzoo_nb.train import train_data, train_learner, fit_galaxy, score_galaxy, save_galaxy
from galaxyzoo_nb.predict import read_model, predict_images
from galaxyzoo_nb.evaluate import score
from recipe_bench import valid_files
import benchlib

def fraction_splitter(frac, valid_pct=0.2, seed=42):
    "The default split (`RandomSplitter(valid_pct, seed)`), its training part cut to a random `frac` (seed 0) of itself."
    split = RandomSplitter(valid_pct, seed=seed)
    def splitter(items):
        tr, va = split(items)
        return list(np.random.RandomState(0).permutation(tr)[:max(1, round(frac * len(tr)))]), va
    return splitter

def run(frac, seed, out_dir, quick):
    "Train the default recipe on `frac` of the training split; its figures."
    out = Path(out_dir)/f'frac{frac}'
    t0 = time.time()
    learn = train_learner(train_data(splitter=fraction_splitter(frac)), seed=seed)
    took = fit_galaxy(learn, epochs=1 if quick else 100)
    save_galaxy(learn, out, score_galaxy(learn), dict(fraction=frac, init_seed=seed), took)
    minutes = (time.time() - t0) / 60
    v = valid_files()
    assert len(learn.dls.valid_ds) == len(v), "the validation split changed"
    if quick: v = v.iloc[:300]
    model = read_model(out)
    res = dict(fraction=frac, seed=seed, n_train=len(learn.dls.train_ds), n_valid=len(v), epochs=len(learn.epoch_history.df),
               minutes=minutes, views=model.model_config['tta'])
    for tta in (1, 4, 8):
        res[f'valid_rmse_tta{tta}'] = score(predict_images(model, v.fname.tolist(), tta=tta, progress=False), v.drop(columns='fname')).rmse
    print(res, flush=True)
    return res

def fit(rows, target):
    "Power law `b * n**-c` through (training galaxies, RMSE with the default views), and the `n` it reaches `target` at."
    n = np.array([r['n_train'] for r in rows], float); y = np.array([r[f"valid_rmse_tta{r['views']}"] for r in rows])
    if len(set(n)) < 2: return None
    slope, icpt = np.polyfit(np.log(n), np.log(y), 1)
    return dict(b=float(np.exp(icpt)), c=float(-slope), target=target,
                n_at_target=float(np.exp((np.log(target) - icpt) / slope)) if slope < 0 else None)

def main(fractions, seed, target, quick):
    m = benchlib.meta()
    rows, fn = [], None
    with tempfile.TemporaryDirectory() as d:
        for frac in fractions:
            rows.append(run(frac, seed, d, quick))
            if fn is not None: fn.unlink()
            pl = fit(rows, target)
            fn = benchlib.save('learning_curve_bench', dict(runs=rows, power_law=pl), quick=quick, meta_=m)
    print('power law:', pl)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--fractions', nargs='+', type=float, default=[0.25, 0.5, 1.0])
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--target', type=float, default=0.086)
    p.add_argument('--quick', action='store_true')
    a = p.parse_args()
    main(a.fractions, a.seed, a.target, a.quick)
