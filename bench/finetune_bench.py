#!/usr/bin/env python
"""Does starting from a trained model pay when finetuning to a question of your own, and by how much as labels grow? (issue 30)

Two binary tasks made from the GZ2 odd-feature question Q8, which the 'unseen' base never learns: ring (Class8.1 > 0.1)
and merger (Class8.6 > 0.1), i.e. at least a tenth of all volunteers called the galaxy odd and then named that feature
(6 % and 10 % of the sample). Evaluation galaxies: the ready model's own validation galaxies (from its summary.json),
so that the 'seen' base (the ready model, which learnt Q8 from the other galaxies) never saw them; every method is
scored on them, at their natural prevalence (the chance level of average precision is the positives' share).
Labelled sets are drawn from the other galaxies with positives at `--pos-share` (a user labels candidates, not a
random 6 %), `--counts` labels each (`--seeds` seeds at 300, one elsewhere).

Methods, each `finetune.finetune` with the same epochs, learning rate, early stopping and validation share:
- unseen: base = a 'cnn' trained from scratch here (`finetune('scratch', ..., schema=GZ2 tree without Q8)`) on the
  vote fractions of the other galaxies *without Q8* (its Q6 'anything odd?' is kept), then `fine_tune`d;
- scratch: the same architecture, random weights, `fit_one_cycle` on everything;
- probe: the unseen base's body frozen, only the new linear layer trained (a linear probe on its features);
- seen: base = the ready model (`default`, trained at 64 px on GZ2 including Q8), `fine_tune`d at its own 64 px.
The unseen/scratch/probe runs use a small input (`--size`, 32 px) so that the whole bench fits about 20 minutes on 2
shared cores. Per run: ROC AUC and average precision on the evaluation galaxies (4-view TTA), epochs, seconds.
The JSON (bench/results/finetune_bench/) is rewritten after every run.
Usage: python bench/finetune_bench.py [--counts 300 100 1000 3000] [--seeds 3] [--size 32] [--threads 1] [--quick]
"""
import argparse, json, tempfile, time
from pathlib import Path
import numpy as np
import pandas as pd
import torch
from galaxyzoo_nb.core import find_data, load_labels, GZ2, TRAIN_CSV, TRAIN_DIR
from galaxyzoo_nb.data import galaxy_arrays
from galaxyzoo_nb.modelfile import ready_model_path
from galaxyzoo_nb.predict import predict_arrays
from galaxyzoo_nb.evaluate import roc_auc, average_precision
from galaxyzoo_nb.finetune import finetune
import benchlib

TASKS = {'ring': ('Class8.1', 0.1), 'merger': ('Class8.6', 0.1)}

def split(labels):
    "`(pool, holdout)`: the galaxies labelled sets are drawn from, and the ready model's validation galaxies."
    vids = set(json.loads((ready_model_path()/'summary.json').read_text())['valid_ids'])
    hold = labels.GalaxyID.isin(vids)
    return labels[~hold].reset_index(drop=True), labels[hold].reset_index(drop=True)

def labelled_set(pool, task, n, pos_share, seed):
    "`n` galaxies of `pool` with positives at `pos_share` (or all there are), shuffled: id, file, the yes/no column."
    col, thr = TASKS[task]
    rng = np.random.default_rng(seed)
    pos, neg = np.flatnonzero(pool[col] > thr), np.flatnonzero(pool[col] <= thr)
    k = min(len(pos), round(n * pos_share))
    idx = rng.permutation(np.r_[rng.choice(pos, k, replace=False), rng.choice(neg, n - k, replace=False)])
    d = pool.iloc[idx]
    return pd.DataFrame({'id': d.GalaxyID.to_numpy(), 'file': d.fname.to_numpy(), task: np.where(d[col] > thr, 'yes', 'no')})

def no_q8(pool, out, size, epochs, minutes):
    "Train the 'unseen' base: the GZ2 tree without Q8, from scratch, on `pool`'s vote fractions; its folder and minutes."
    sch = GZ2.to_dict(); sch['questions'] = [q for q in sch['questions'] if q['name'] != 'Q8']; sch['name'] = 'gz2_without_q8'
    cols = [c for q in sch['questions'] for c in q['answers']]
    d = Path(out).parent
    pool.rename(columns={'GalaxyID': 'id', 'fname': 'file'})[['id', 'file'] + cols].to_csv(d/'pool.csv', index=False)
    (d/'no_q8.json').write_text(json.dumps(sch))
    t0 = time.time()
    learn = finetune('scratch', d/'pool.csv', out, schema=d/'no_q8.json', size=size, epochs=epochs, patience=epochs, minutes=minutes, seed=0)
    return out, (time.time() - t0) / 60, float(learn.task_scores.loc['all', 'rmse'])

def run(method, task, n, seed, base, size, hold, arrays, d, epochs):
    "One finetune; its figures on the evaluation galaxies."
    lab = labelled_set(POOL, task, n, POS_SHARE, seed)
    fn = Path(d)/f'{task}_{n}_{seed}.csv'; lab.to_csv(fn, index=False)
    t0 = time.time()
    learn = finetune(base, fn, None, target=task, size=size, epochs=epochs, seed=seed, probe=method == 'probe', min_per_class=3, minutes=0)
    secs = time.time() - t0
    p = predict_arrays(learn, arrays[size], hold.GalaxyID.to_numpy(), progress=False)
    col, thr = TASKS[task]
    y = (hold[col] > thr).to_numpy()
    res = dict(method=method, task=task, n=n, seed=seed, size=size, n_pos=int((lab[task] == 'yes').sum()), epochs=len(learn.epoch_history.df),
               seconds=secs, roc_auc=roc_auc(y, p['p_yes']), average_precision=average_precision(y, p['p_yes']), chance_ap=float(y.mean()))
    print(res, flush=True)
    return res

def main(counts, seeds, size, epochs, base_epochs, quick):
    global POOL, POS_SHARE
    torch.set_num_threads(THREADS)
    m = benchlib.meta()
    path = find_data()
    labels = load_labels(path/TRAIN_CSV)
    labels.insert(1, 'fname', [str(path/TRAIN_DIR/f'{i}.jpg') for i in labels.GalaxyID])
    POOL, hold = split(labels)
    if quick: hold, counts, seeds, epochs, base_epochs = hold.iloc[:200], [100], 1, 1, 1
    arrays = {s: galaxy_arrays(hold.fname.tolist(), 192, s, progress=False) for s in (size, 64)}
    rows, fn = [], None
    with tempfile.TemporaryDirectory() as d:
        base, base_min, base_rmse = no_q8(POOL.iloc[:300] if quick else POOL, Path(d)/'no_q8', size, base_epochs, 0)
        info = dict(pool=len(POOL), holdout=len(hold), size=size, epochs=epochs, base_epochs=base_epochs, pos_share=POS_SHARE,
                    tasks={k: dict(column=c, threshold=t, holdout_share=float((hold[c] > t).mean())) for k, (c, t) in TASKS.items()},
                    unseen_base=dict(minutes=base_min, valid_rmse=base_rmse))
        print(info, flush=True)
        plan = [(n, s) for n in counts for s in range(seeds if n == 300 else 1)]
        methods = [('unseen', str(base), size), ('scratch', 'scratch', size), ('probe', str(base), size), ('seen', 'default', 64)]
        for n, s in plan:
            for task in TASKS:
                for method, b, sz in methods:
                    rows.append(run(method, task, n, s, b, sz, hold, arrays, d, epochs))
                    if fn is not None: fn.unlink()
                    fn = benchlib.save('finetune_bench', dict(setup=info, runs=rows), quick=quick, meta_=m)
    t = pd.DataFrame(rows).groupby(['task', 'method', 'n'])[['roc_auc', 'average_precision', 'seconds']].agg(['mean', 'std', 'count'])
    print(t.round(3).to_string())

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--counts', nargs='+', type=int, default=[300, 100, 1000])
    p.add_argument('--seeds', type=int, default=3)
    p.add_argument('--size', type=int, default=32)
    p.add_argument('--epochs', type=int, default=10)
    p.add_argument('--base-epochs', type=int, default=12)
    p.add_argument('--pos-share', type=float, default=0.3)
    p.add_argument("--threads", type=int, default=1)  # (1: on a shared, busy 2-core machine 2 threads per process spin against the others)
    p.add_argument("--quick", action="store_true")
    a = p.parse_args()
    POS_SHARE, THREADS = a.pos_share, a.threads
    main(a.counts, a.seeds, a.size, a.epochs, a.base_epochs, a.quick)
