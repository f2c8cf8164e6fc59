#!/usr/bin/env python
"""How sure is the model? Each uncertainty estimate of `predict_images`, on the validation galaxies of one model (issue 18).

For each method (the spread over 2, 4 or 8 TTA views; Monte-Carlo dropout with 1 or 4 views): the validation RMSE of
the mean, JPEG -> prediction img/s, how informative the standard deviations are (Spearman correlation of sigma with
|error|, per answer, averaged over the 37 answers), and the share of true values within +-1 sigma and +-2 sigma, raw
and after the per-question calibration of `evaluate.calibrated_uncertainty` (fitted on one half of the galaxies,
measured on the other, both ways round), overall and per question.
The model is a folder from gz_train (default: the ready model, `default`); its validation galaxies are the
`valid_ids` of its summary.json where it has one, else the fixed split of `galaxy_dls` (20 %, seed 42).
Usage: python bench/uncertainty_bench.py [--model default] [--quick]
"""
import argparse, json, os, time
from pathlib import Path
import numpy as np, pandas as pd, torch
from fastai.data.transforms import RandomSplitter
from galaxyzoo_nb.core import CLASSES, STD_CLASSES
from galaxyzoo_nb.data import galaxy_df
from galaxyzoo_nb.modelfile import read_model, ready_model_path
from galaxyzoo_nb.predict import predict_images, MC_SAMPLES
from galaxyzoo_nb.evaluate import calibrated_uncertainty, align
import benchlib

METHODS = [('tta', 2), ('tta', 4), ('tta', 8), ('mc', 1), ('mc', 4)]  # (method, views)

def valid_set(model_dir):
    "Files and labels of the model's validation galaxies."
    df = galaxy_df()
    summ = Path(model_dir)/'summary.json'
    ids = json.loads(summ.read_text()).get('valid_ids') if summ.exists() else None
    if ids: return df[df.GalaxyID.isin(set(ids))].reset_index(drop=True)
    _, vi = RandomSplitter(0.2, seed=42)(df)
    return df.iloc[list(vi)].reset_index(drop=True)

def spearman(e, s):
    "Mean over the answers of the rank correlation between sigma and |error| (answers with no spread left out)."
    cs = [pd.Series(s[:, j]).corr(pd.Series(e[:, j]), method='spearman') for j in range(e.shape[1]) if s[:, j].std() > 0]
    return float(np.nanmean(cs)) if cs else float('nan')

def main(model='default', quick=False):
    torch.set_num_threads(os.cpu_count())
    m = benchlib.meta()
    folder = ready_model_path() if model == 'default' else Path(model)
    learn = read_model(folder, cpu=True)
    v = valid_set(folder)
    if quick: v = v.iloc[:200]
    labels = v.drop(columns='fname')
    print(f"{folder}: {len(v)} validation galaxies")
    rows = []
    for method, views in METHODS:
        t = time.time()
        pred = predict_images(learn, v.fname.tolist(), tta=views, uncertainty=method, calibrate=False, progress=False)
        secs = time.time() - t
        ids, p, y = align(pred, labels)
        e, s = np.abs(p - y), pred.set_index('GalaxyID').loc[ids, STD_CLASSES].to_numpy()
        _, rep = calibrated_uncertainty(pred, labels, method)
        row = dict(method=method, views=views, mc_samples=MC_SAMPLES if method == 'mc' else 0, rmse=float(np.sqrt(((p - y)**2).mean())),
                   img_s=len(v) / secs, spearman=spearman(e, s),
                   **{c: float(rep.loc['all', c]) for c in rep.columns},
                   questions=rep.round(4).rename_axis('Q').reset_index().to_dict('records'))
        rows.append(row)
        print(json.dumps({k: val for k, val in row.items() if k != 'questions'}), flush=True)
    print('\n' + pd.DataFrame(rows).drop(columns='questions').to_string(float_format=lambda x: f'{x:.4f}' if abs(x) < 1 else f'{x:.1f}'))
    benchlib.save('uncertainty_bench', dict(model=str(model), n_valid=len(v), methods=rows), quick=quick, meta_=m)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--model', default='default', help="a model folder from gz_train, or 'default' (the ready model)")
    p.add_argument('--quick', action='store_true', help='200 galaxies: check the script, not the figures (saved under results/quick/)')
    a = p.parse_args(); main(a.model, a.quick)
