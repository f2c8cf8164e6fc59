#!/usr/bin/env python
"""The rotation/mirror-invariant `p4m_cnn` against the default `galaxy_cnn` and fastai's resnet18 from scratch (issue 22).

Every run is the five public steps of `train_galaxy` as `gz_train` runs them (its 17-minute `TimeBudget`, the fixed 20 %
validation split of seed 42) with only the architecture (and its arguments) and the seed of the initial weights changed, so the models meet on the same split in the
same time. Per run: validation RMSE with 1, 4 and 8 dihedral views as `gz_predict` predicts (int8 where the model carries
a calibration), epochs, minutes, training img/s (last epoch), and JPEG -> CSV prediction img/s on the sample's test images
with the model's own default views (what `gz_predict` does: 4 for the CNNs, 1 for the invariant model).
The JSON (bench/results/equivariant_bench/) is rewritten after every run, so an interrupted bench keeps what it finished.
A variant at a larger input: default96, the default CNN on 96 px views of the same 192 px crop (it fills the budget the
default leaves unused); every CNN is also timed predicting with 1 view.
Usage: python bench/equivariant_bench.py [--only p4m default] [--seeds 1 2 3] [--quick]
"""
import argparse, json, os, sys, tempfile, time
from pathlib import Path
import numpy as np, torch
from galaxyzoo_nb.core import find_data, TEST_DIR
from galaxyzoo_nb.data import list_images
from galaxyzoo_nb.train import train_data, train_learner, fit_galaxy, score_galaxy, save_galaxy
from galaxyzoo_nb.predict import read_model, predict_images, write_submission
from galaxyzoo_nb.evaluate import score
from recipe_bench import valid_files
import benchlib

MODELS = {'default': dict(arch='cnn'), 'p4m': dict(arch='p4m'), 'resnet18': dict(arch='resnet18', pretrained=False),
          'p4m_mid': dict(arch='p4m', widths=(4, 8, 12, 12, 24, 24, 48, 48)),  # (fields per block; the default is `models.P4M_WIDTHS`)
          'default96': dict(arch='cnn', size=96)}

def train(name, seed, out, quick):
    "`train_galaxy`'s five steps for the variant `name` (its architecture and arguments), initial weights from `seed`."
    kw = dict(MODELS[name])
    dls = train_data(size=kw.pop('size', 64), n=1000 if quick else None)
    learn = train_learner(dls, kw.pop('arch'), seed=seed, **kw)
    took = fit_galaxy(learn, epochs=1 if quick else 100)
    save_galaxy(learn, out, score_galaxy(learn), dict(MODELS[name], init_seed=seed), took)
    return learn

def run(name, seed, out_dir, quick):
    "Train `name` with initial-weight seed `seed` as gz_train would; its figures."
    out = Path(out_dir)/f'{name}_{seed}'
    t0 = time.time()
    learn = train(name, seed, out, quick)
    minutes = (time.time() - t0) / 60
    model = read_model(out)  # as gz_predict loads it
    v, test = valid_files(), list_images(find_data()/TEST_DIR)['file'].tolist()
    if quick: v, test = v.iloc[:300], test[:200]
    res = dict(model=name, seed=seed, epochs=len(learn.epoch_history.df), minutes=minutes, views=model.model_config['tta'])
    for tta in (1, 4, 8):
        res[f'valid_rmse_tta{tta}'] = score(predict_images(model, v.fname.tolist(), tta=tta, progress=False), v.drop(columns='fname')).rmse
    h = learn.epoch_history.df
    res['train_img_s'] = float(h.n_train.iloc[-1] / h.seconds.iloc[-1])
    t = time.time()
    write_submission(predict_images(model, test, progress=False), Path(out_dir)/'submission.csv')
    res['predict_img_s'] = len(test) / (time.time() - t)
    if res['views'] != 1:  # (the speed of one view too: what a model with no TTA would cost)
        t = time.time()
        write_submission(predict_images(model, test, tta=1, progress=False), Path(out_dir)/'submission.csv')
        res['predict_img_s_1view'] = len(test) / (time.time() - t)
    print(json.dumps(res), flush=True)
    return dict(res, history=h.round(6).to_dict('records'))

def summarise(rows):
    "Mean and spread over seeds of each model's figures."
    out = {}
    for name in dict.fromkeys(r['model'] for r in rows):
        rs = [r for r in rows if r['model'] == name]
        out[name] = {k: dict(mean=float(np.mean([r[k] for r in rs])), min=float(np.min([r[k] for r in rs])), max=float(np.max([r[k] for r in rs])), n=len(rs))
                     for k in ('valid_rmse_tta1', 'valid_rmse_tta4', 'valid_rmse_tta8', 'minutes', 'epochs', 'train_img_s', 'predict_img_s', 'predict_img_s_1view') if all(k in r for r in rs)}
    return out

def main(only, seeds, quick):
    m = benchlib.meta()
    rows, fn = [], None
    with tempfile.TemporaryDirectory() as d:
        for seed in seeds:
            for name in only:
                rows.append(run(name, seed, d, quick))
                if fn is not None: fn.unlink()  # (one file per bench run, rewritten after each model)
                fn = benchlib.save('equivariant_bench', dict(runs=rows, summary=summarise(rows)), quick=quick, meta_=m)
    for name, s in summarise(rows).items():
        print(name, {k: round(v['mean'], 5) for k, v in s.items()})

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--only', nargs='+', default=list(MODELS), choices=list(MODELS))
    p.add_argument('--seeds', nargs='+', type=int, default=[1, 2, 3])
    p.add_argument('--quick', action='store_true')
    a = p.parse_args()
    main(a.only, a.seeds, a.quick)
