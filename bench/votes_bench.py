#!/usr/bin/env python
"""Vote counts in: which loss learns the vote fractions best from counts? (issue 40)

GZ DECaLS and GZ DESI publish vote counts, k of N volunteers per answer, with N varying by galaxy and by question.
Here the counts are simulated from the shared sample's GZ2 fractions (taken as the truth): each galaxy gets N
volunteers drawn uniformly from `--n-min`..`--n-max`, who walk the GZ2 tree answering with the true shares
(`evaluate.simulate_counts`), so deep questions get few votes. Each run trains the same network from scratch
(`finetune.finetune('scratch', ..., schema='gz2')`, 64 px, `--epochs` epochs, no early stop) on a labels table of:
- counts, loss 'weighted': MSE on the derived fractions, each question's error weighed by its votes (`VoteLoss`);
- counts, loss 'dirichlet': the Dirichlet-multinomial likelihood of the counts (as Zoobot trains);
- counts, loss 'mse': plain MSE on the derived fractions;
- fractions: the true fractions themselves (what a perfect, noiseless labels table gives: the reference).
Score: RMSE of the predicted fractions (4-view TTA) against the *true* fractions on `--n-test` held-out galaxies,
overall and per question. The JSON (bench/results/votes_bench/) is rewritten after every run.
Usage: python bench/votes_bench.py [--n-train 800] [--n-test 300] [--epochs 3] [--size 64] [--threads 2] [--quick]
"""
import argparse, tempfile, time
from pathlib import Path
import numpy as np
import pandas as pd
import torch
from galaxyzoo_nb.core import find_data, load_labels, GZ2, CLASSES, TRAIN_CSV, TRAIN_DIR, tree_index
from galaxyzoo_nb.data import galaxy_arrays, galaxy_x
from galaxyzoo_nb.predict import predict_arrays
from galaxyzoo_nb.evaluate import simulate_counts
from galaxyzoo_nb.finetune import finetune, VOTE_LOSSES
import benchlib

def tables(n_train, n_test, n_min, n_max, seed):
    "`(counts, fractions, test)`: the training tables (id, file, the 37 columns) and the held-out galaxies' true fractions."
    path = find_data()
    lab = load_labels(path/TRAIN_CSV).sample(n_train + n_test, random_state=seed).reset_index(drop=True)
    lab.insert(1, 'file', [str(path/TRAIN_DIR/f'{i}.jpg') for i in lab.GalaxyID])
    tr, te = lab.iloc[:n_train].rename(columns={'GalaxyID': 'id'}), lab.iloc[n_train:].reset_index(drop=True)
    nv = np.random.default_rng(seed).integers(n_min, n_max + 1, len(tr))
    counts = tr.copy(); counts[CLASSES] = simulate_counts(tr[CLASSES].to_numpy(), nv, seed)
    return counts, tr, te, nv

def rmse_of(learn, te, size):
    "RMSE against the true fractions of the held-out galaxies, overall and per question."
    gx = galaxy_x(learn.dls)
    arr = galaxy_arrays(te.file.tolist(), gx.crop, gx.size)
    p = predict_arrays(learn, arr, te.GalaxyID.tolist())[CLASSES].to_numpy(np.float64)
    se = (p - te[CLASSES].to_numpy(np.float64))**2
    return float(np.sqrt(se.mean())), {q.name: float(np.sqrt(se[:, a:b].mean())) for q, (a, b, _) in zip(GZ2.questions, tree_index())}

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--n-train', type=int, default=800); ap.add_argument('--n-test', type=int, default=300)
    ap.add_argument('--n-min', type=int, default=5); ap.add_argument('--n-max', type=int, default=60)
    ap.add_argument('--epochs', type=int, default=3); ap.add_argument('--size', type=int, default=64)
    ap.add_argument('--seed', type=int, default=0); ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--quick', action='store_true', help='200 + 100 galaxies, 1 epoch, 32 px: checks the script runs')
    a = ap.parse_args()
    if a.quick: a.n_train, a.n_test, a.epochs, a.size = 200, 100, 1, 32
    torch.set_num_threads(a.threads)
    m = benchlib.meta(a.threads)
    counts, fracs, te, nv = tables(a.n_train, a.n_test, a.n_min, a.n_max, a.seed)
    info = dict(n_train=a.n_train, n_test=a.n_test, volunteers=[a.n_min, a.n_max], mean_volunteers=float(nv.mean()), epochs=a.epochs,
                size=a.size, seed=a.seed, schema='gz2', arch='cnn (the ready model\'s, from scratch)', score='RMSE vs the true fractions, 4-view TTA')
    rows = []
    runs = [(f'counts, {l}', counts, l) for l in VOTE_LOSSES] + [('fractions (true)', fracs, None)]
    with tempfile.TemporaryDirectory() as d:
        for name, table, loss in runs:
            fn = Path(d)/'labels.csv'; table.to_csv(fn, index=False)
            t0 = time.time()
            learn = finetune('scratch', fn, schema='gz2', loss=loss, size=a.size, epochs=a.epochs, patience=a.epochs, minutes=0, seed=a.seed)
            secs = time.time() - t0
            rmse, per_q = rmse_of(learn, te, a.size)
            rows.append(dict(run=name, loss=loss, rmse=rmse, questions=per_q, seconds=round(secs, 1)))
            print(f"{name:24s} RMSE {rmse:.5f}  ({secs:.0f} s)", flush=True)
            benchlib.save('votes_bench', dict(setup=info, runs=rows), quick=a.quick, meta_=m)
    best = min((r for r in rows if r['loss']), key=lambda r: r['rmse'])
    print(f"best loss on counts: {best['loss']} (RMSE {best['rmse']:.5f})")

if __name__ == '__main__': main()
