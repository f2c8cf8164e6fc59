#!/usr/bin/env python
"""Accuracy and speed of each model on the shared sample, in one run so the figures are comparable (issue 6).

For each model: validation RMSE (fixed 20 % split, seed 42) without TTA, with gz_predict's default TTA (4 views) and with
all 8 dihedral views (and with 2), training minutes, train img/s (last epoch), the share of an epoch the data pipeline
takes, and JPEG -> CSV prediction img/s for each TTA setting (for the default the median of 3 runs, with their range). These use
predict_images' default: int8 on a CPU where the model carries a calibration (train_galaxy calibrates every model) and int8
cost it at most INT8_MAX_LOSS of validation RMSE, so for those models the float figures (float32, or bfloat16 where the CPU
has it) with gz_predict's default TTA are added (`_float`).
Models: the study's CNN and recipe (Adam lr 1e-3, batch 1024, no augmentation), the same with the study's augmentation,
ResNet50 from scratch (no ImageNet download here), and the default recipe: `gz_train` with no arguments.
Besides printing them, the figures (with each model's per-epoch history) are saved by `benchlib.save` as JSON under
bench/results/recipe_bench/ (--quick runs under bench/results/quick/), which nbs/results.ipynb renders.
With --default-model FOLDER the default's row scores a model folder already trained by `gz_train` with no arguments (its
training minutes and history come from its summary.json) instead of training another.
Usage: python bench/recipe_bench.py [--only default] [--quick] [--default-model models/galaxyzoo]
"""
import argparse, json, os, platform, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np, pandas as pd, torch
from fastai.data.transforms import RandomSplitter
from galaxyzoo_nb.core import find_data, load_labels, TRAIN_CSV, TEST_DIR, CLASSES
from galaxyzoo_nb.data import galaxy_df, galaxy_dls, list_images
import inspect
from galaxyzoo_nb.train import train_galaxy
from galaxyzoo_nb.predict import read_model, predict_images, write_submission, TTA_VIEWS
from galaxyzoo_nb.quantize import int8_ready
from galaxyzoo_nb.evaluate import score
import benchlib

STUDY = dict(crop=256, n_models=1, tta=0)  # the study's 64 px crops of the central 256 px, one network
# name -> train_galaxy arguments (epochs chosen so the slow models fit a CPU budget; the study ran 200 epochs on a GPU)
MODELS = {
    'default (gz_train, no args)':    None,
    'study CNN (study recipe)':       dict(arch='study', aug=None,    recipe='study', bs=1024, lr=1e-3, head='sigmoid', epochs=2, **STUDY),
    'study CNN + study augmentation': dict(arch='study', aug='study', recipe='study', bs=1024, lr=1e-3, head='sigmoid', epochs=2, **STUDY),
    'ResNet50 from scratch':          dict(arch='resnet50', pretrained=False, epochs=1, bs=64, n_models=1),
}
SAVED_ONLY = ('history', 'predict_runs', 'predicts_int8')  # saved in the JSON, not printed with the row

def valid_files(seed=42, valid_pct=0.2):
    "Image files and labels of the fixed validation split that `galaxy_dls` uses."
    df = galaxy_df()
    _, vi = RandomSplitter(valid_pct, seed=seed)(df)
    return df.iloc[list(vi)].reset_index(drop=True)

def eval_sets(quick=False):
    "The validation split (image files and labels) and the test images to time prediction on (--quick: a few of each)."
    v, test = valid_files(), list_images(find_data()/TEST_DIR)['file'].tolist()
    return (v.iloc[:300], test[:200]) if quick else (v, test)

def mean_baseline(seed=42, valid_pct=0.2):
    "Validation RMSE of predicting the training galaxies' mean vote fractions for every galaxy of the same split."
    df = galaxy_df()
    ti, vi = RandomSplitter(valid_pct, seed=seed)(df)
    y = df[CLASSES].to_numpy(dtype='float64')
    return float(np.sqrt(((y[list(vi)] - y[list(ti)].mean(0)) ** 2).mean()))

def data_share(dls, epoch_seconds):
    "Seconds for one pass of the training and validation DataLoaders alone (cache, augmentation, collate), over an epoch's."
    for _ in dls.train: break  # (stacks the cached arrays once, as the first epoch does)
    t = time.time()
    for _ in dls.train: pass
    for _ in dls.valid: pass
    return (time.time() - t) / epoch_seconds

def trained_default(folder):
    "The summary of a model folder that `gz_train` wrote with no arguments (else a `SystemExit` saying what differs)."
    info = json.loads((Path(folder)/'summary.json').read_text())
    diff = {k: v for k, v in info['args'].items() if k not in ('out', 'path', 'data') and v != getattr(inspect.signature(train_galaxy).parameters.get(k), 'default', v)}
    if diff: sys.exit(f"{folder} was not trained with gz_train's defaults: {diff}")
    return info

def run(name, kw, out_dir, quick, default_model=None):
    out = Path(out_dir)/f"{name.split()[0].lower()}_{abs(hash(name)) % 10**6}"
    t0 = time.time()
    if kw is None:  # the default recipe, literally as a user runs it: `gz_train` with no arguments, in a fresh folder
        if default_model: out = Path(default_model)
        else:
            cwd = Path(out_dir)/'default'; cwd.mkdir()
            cmd = [str(Path(sys.executable).parent/'gz_train')] + (['--epochs', '1', '--n', '1000'] if quick else [])
            subprocess.run(cmd, cwd=cwd, check=True)
            out = cwd/'models'/'galaxyzoo'
        learn = read_model(out)
        info = trained_default(out) if default_model else json.loads((out/'summary.json').read_text())
        hist = pd.DataFrame(info['history'])
    else:
        kw = dict(kw, epochs=1, n=max(1000, 2 * kw.get('bs', 64))) if quick else kw  # (at least one full training batch)
        learn = train_galaxy(out=out, **kw)
        hist = learn.epoch_history.df
    minutes = info['minutes'] if kw is None and default_model else (time.time() - t0) / 60  # (a reused model: its training time)
    v, test = eval_sets(quick)
    labels, n_test = v.drop(columns='fname'), len(test)
    res = dict(model=name, epochs=len(hist), minutes=minutes)
    runs = {}
    reps = 3 if kw is None and not quick else 1  # repeat the default's timings (the others are slow and only for scale)
    for tta in sorted({1, 2, TTA_VIEWS, 8}):  # no TTA, 2 views, gz_predict's default, all 8 views
        tag = f'_tta{tta}' if tta > 1 else ''
        res[f'valid_rmse{tag}'] = score(predict_images(learn, v.fname.tolist(), tta=tta, progress=False), labels).rmse
        secs = []
        for _ in range(reps):  # a shared VM's speed wanders: the median of `reps` runs, and their range
            t = time.time()
            write_submission(predict_images(learn, test, tta=tta, progress=False), Path(out_dir)/'submission.csv')
            secs.append(time.time() - t)
        res[f'predict_img_s{tag}'] = n_test / float(np.median(secs))
        res[f'predict_range{tag}'] = f"{n_test / max(secs):.0f}-{n_test / min(secs):.0f}"
        runs[str(tta)] = [n_test / s for s in secs]
    int8 = int8_ready(learn.model)
    if int8:  # the figures above are in int8 (predict_images' default here): float for comparison
        res[f'valid_rmse_tta{TTA_VIEWS}_float'] = score(predict_images(learn, v.fname.tolist(), tta=TTA_VIEWS, progress=False, int8=False), labels).rmse
        t = time.time()
        write_submission(predict_images(learn, test, tta=TTA_VIEWS, progress=False, int8=False), Path(out_dir)/'submission.csv')
        res[f'predict_img_s_tta{TTA_VIEWS}_float'] = n_test / (time.time() - t)
    ep_s = hist.seconds.iloc[-1]
    dls = learn.dls if kw is not None else galaxy_dls(n=1000 if quick else None)  # (an exported learner has no data)
    res = dict(res, train_img_s=hist.n_train.iloc[-1] / ep_s, epoch_s=ep_s, data_share=data_share(dls, ep_s))
    # saved only: each TTA setting's prediction img/s run by run, whether it predicted in int8, and every epoch's figures
    return dict(res, predicts_int8=int8, predict_runs=runs, history=hist.round(6).to_dict('records'))

def main(only=None, quick=False, default_model=None):
    torch.set_num_threads(os.cpu_count())
    m = benchlib.meta()
    print(f"{time.strftime('%Y-%m-%d %H:%M')} · {platform.node()} · {os.cpu_count()} CPUs · torch {torch.__version__}"
          f" · threads {torch.get_num_threads()} · GPU: {torch.cuda.get_device_name() if torch.cuda.is_available() else 'none'}")
    base = mean_baseline()
    print(f"predicting the training mean for every galaxy: valid RMSE {base:.4f}")
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for name, kw in MODELS.items():
            if only and only.lower() not in name.lower(): continue
            print(f"\n=== {name}", flush=True)
            rows.append(run(name, kw, d, quick, default_model))
            print(json.dumps({k: v for k, v in rows[-1].items() if k not in SAVED_ONLY}), flush=True)
    df = pd.DataFrame(rows).drop(columns=list(SAVED_ONLY)).set_index('model')
    print('\n' + df.to_string(float_format=lambda x: f'{x:.4f}' if x < 1 else f'{x:.1f}'))
    v, test = eval_sets(quick)
    benchlib.save('recipe_bench', dict(models=rows, mean_baseline_rmse=base, n_valid=len(v), n_test=len(test),
                                       tta_default=TTA_VIEWS), quick=quick, meta_=m)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--only', help='run only the models whose name contains this')
    p.add_argument('--quick', action='store_true', help='1 epoch on 1,000 galaxies, a few images scored and timed: check the script, '
                                                    'not the figures (saved under results/quick/)')
    p.add_argument('--default-model', help="score this model folder, trained by gz_train with no arguments, as the default's row (no new training)")
    a = p.parse_args(); main(a.only, a.quick, a.default_model)
