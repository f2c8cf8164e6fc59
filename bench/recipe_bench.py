#!/usr/bin/env python
"""Accuracy and speed of each model on the shared sample, in one run so the figures are comparable (issue 6).

For each model: validation RMSE (fixed 20 % split, seed 42) without TTA, with gz_predict's default TTA (4 views) and with
all 8 dihedral views (and with 2), training minutes, train img/s (last epoch), the share of an epoch the data pipeline
takes, and JPEG -> CSV prediction img/s for each TTA setting (for the default the median of 3 runs, with their range). These use
predict_images' default: int8 on a CPU where the model carries a calibration (train_galaxy calibrates every model) and int8
cost it at most INT8_MAX_LOSS of validation RMSE, so for those models the float figures (float32, or bfloat16 where the CPU
has it) with gz_predict's default TTA are added (`_float`).
Models: the seed's CNN and recipe (Adam lr 1e-3, batch 1024, no augmentation), the same with the seed's augmentation,
ResNet50 from scratch (no ImageNet download here), and the default recipe: `gz_train` with no arguments.
Usage: python bench/recipe_bench.py [--only default] [--quick]
"""
import argparse, json, os, platform, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np, pandas as pd, torch
from fastai.data.transforms import RandomSplitter
from galaxyzoo_nb.core import find_data, load_labels, TRAIN_CSV, TEST_DIR
from galaxyzoo_nb.data import galaxy_df, galaxy_dls
from galaxyzoo_nb.cli import train_default
from galaxyzoo_nb.learner import train_galaxy
from galaxyzoo_nb.predict import predict_images, write_submission, TTA_VIEWS, int8_ready
from galaxyzoo_nb.evaluate import score

SEED = dict(crop=256, n_models=1, tta=0)  # the seed's 64 px crops of the central 256 px, one network
# name -> train_galaxy arguments (epochs chosen so the slow models fit a CPU budget; the seed ran 200 epochs on a GPU)
MODELS = {
    'default (gz_train, no args)':  None,
    'seed CNN (seed recipe)':       dict(arch='seed', aug=None,   recipe='seed', bs=1024, lr=1e-3, head='sigmoid', epochs=2, **SEED),
    'seed CNN + seed augmentation': dict(arch='seed', aug='seed', recipe='seed', bs=1024, lr=1e-3, head='sigmoid', epochs=2, **SEED),
    'ResNet50 from scratch':        dict(arch='resnet50', pretrained=False, epochs=1, bs=64, n_models=1),
}

def valid_files(seed=42, valid_pct=0.2):
    "Image files and labels of the fixed validation split that `galaxy_dls` uses."
    df = galaxy_df()
    _, vi = RandomSplitter(valid_pct, seed=seed)(df)
    return df.iloc[list(vi)].reset_index(drop=True)

def data_share(dls, epoch_seconds):
    "Seconds for one pass of the training and validation DataLoaders alone (cache, augmentation, collate), over an epoch's."
    for _ in dls.train: break  # (stacks the cached arrays once, as the first epoch does)
    t = time.time()
    for _ in dls.train: pass
    for _ in dls.valid: pass
    return (time.time() - t) / epoch_seconds

def run(name, kw, out_dir, quick):
    out = Path(out_dir)/f"{name.split()[0].lower()}_{abs(hash(name)) % 10**6}.pkl"
    t0 = time.time()
    if kw is None:  # the default recipe, literally as a user runs it: `gz_train` with no arguments, in a fresh folder
        cwd = Path(out_dir)/'default'; cwd.mkdir()
        cmd = [str(Path(sys.executable).parent/'gz_train')] + (['--epochs', '2'] if quick else [])
        subprocess.run(cmd, cwd=cwd, check=True)
        out = cwd/'models'/'galaxyzoo.pkl'
        from galaxyzoo_nb.predict import load_model
        learn = load_model(out)
        info = json.loads(out.with_suffix('.json').read_text())
        hist = pd.DataFrame(info['history'])
    else:
        kw = dict(kw, epochs=1) if quick else kw
        learn = train_galaxy(out=out, **kw)
        hist = learn.epoch_history.df
    minutes = (time.time() - t0) / 60
    v = valid_files()
    labels, test_dir = v.drop(columns='fname'), find_data()/TEST_DIR
    n_test = len(list(test_dir.glob('*.jpg')))
    res = dict(model=name, epochs=len(hist), minutes=minutes)
    reps = 3 if kw is None else 1  # repeat the default's timings (the others are slow and only for scale)
    for tta in sorted({1, 2, TTA_VIEWS, 8}):  # no TTA, 2 views, gz_predict's default, all 8 views
        tag = f'_tta{tta}' if tta > 1 else ''
        res[f'valid_rmse{tag}'] = score(predict_images(learn, v.fname.tolist(), tta=tta, progress=False), labels).rmse
        secs = []
        for _ in range(reps):  # a shared VM's speed wanders: the median of `reps` runs, and their range
            t = time.time()
            write_submission(predict_images(learn, test_dir, tta=tta, progress=False), Path(out_dir)/'submission.csv')
            secs.append(time.time() - t)
        res[f'predict_img_s{tag}'] = n_test / float(np.median(secs))
        res[f'predict_range{tag}'] = f"{n_test / max(secs):.0f}-{n_test / min(secs):.0f}"
    if int8_ready(learn.model):  # the figures above are in int8 (predict_images' default here): float for comparison
        res[f'valid_rmse_tta{TTA_VIEWS}_float'] = score(predict_images(learn, v.fname.tolist(), tta=TTA_VIEWS, progress=False, int8=False), labels).rmse
        t = time.time()
        write_submission(predict_images(learn, test_dir, tta=TTA_VIEWS, progress=False, int8=False), Path(out_dir)/'submission.csv')
        res[f'predict_img_s_tta{TTA_VIEWS}_float'] = n_test / (time.time() - t)
    ep_s = hist.seconds.iloc[-1]
    dls = learn.dls if kw is not None else galaxy_dls(crop=train_default('crop'))  # (an exported learner has no data)
    return dict(res, train_img_s=hist.n_train.iloc[-1] / ep_s, epoch_s=ep_s, data_share=data_share(dls, ep_s))

def main(only=None, quick=False):
    torch.set_num_threads(os.cpu_count())
    print(f"{time.strftime('%Y-%m-%d %H:%M')} · {platform.node()} · {os.cpu_count()} CPUs · torch {torch.__version__}"
          f" · threads {torch.get_num_threads()} · GPU: {torch.cuda.get_device_name() if torch.cuda.is_available() else 'none'}")
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for name, kw in MODELS.items():
            if only and only.lower() not in name.lower(): continue
            print(f"\n=== {name}", flush=True)
            rows.append(run(name, kw, d, quick))
            print(json.dumps(rows[-1]), flush=True)
    df = pd.DataFrame(rows).set_index('model')
    print('\n' + df.to_string(float_format=lambda x: f'{x:.4f}' if x < 1 else f'{x:.1f}'))

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--only', help='run only the models whose name contains this')
    p.add_argument('--quick', action='store_true', help='1-2 epochs each: check the script, not the figures')
    a = p.parse_args(); main(a.only, a.quick)
