#!/usr/bin/env python
"""Throughput of the galaxyzoo_nb models on random 64 px batches (model only: no decoding, no augmentation).

Train = forward + backward + Adam step; inference = forward under `torch.inference_mode`. The 'BatchNorm folded' row
(`fuse_bn`) and the `PredictModel` row (folded, what `predict_images` runs, here with one view) are for inference only.
Each figure is the best of `--reps` runs (other processes on a shared CPU only ever slow a run down);
the spread (worst/best) is printed so contention is visible. Besides printing them, the figures (every run's, too) are
saved by `benchlib.save` as JSON under bench/results/model_bench/ (--quick runs under bench/results/quick/), which
nbs/results.ipynb renders.

    python bench/model_bench.py [--reps 3] [--n-iter 15] [--bs 64] [--threads 2] [--quick]
"""
import argparse, math, os, time, warnings
import torch
warnings.filterwarnings('ignore', category=FutureWarning)
from galaxyzoo_nb.models import galaxy_cnn, study_cnn, throughput, Ensemble, fuse_bn
from galaxyzoo_nb.predict import PredictModel
import benchlib

CL = dict(channels_last=True)  # also convert the input batch to channels-last
MODELS = {  # name -> (factory, `throughput` options)
    'galaxy_cnn (tree, channels_last)':       (lambda: galaxy_cnn(), {}),
    'galaxy_cnn (tree, channels_last + input)': (lambda: galaxy_cnn(), CL),
    'galaxy_cnn (tree, standard layout)':     (lambda: galaxy_cnn(channels_last=False), {}),
    'galaxy_cnn (tree, bf16 autocast)':       (lambda: galaxy_cnn(), dict(bf16=True)),
    'galaxy_cnn, BatchNorm folded, bf16':    (lambda: fuse_bn(galaxy_cnn()), dict(bf16=True, infer_only=True)),
    'galaxy_cnn, PredictModel, bf16':        (lambda: PredictModel(galaxy_cnn()), dict(bf16=True, infer_only=True)),  # as predict_images
    'Ensemble of 2 galaxy_cnn, bf16':         (lambda: Ensemble([galaxy_cnn(), galaxy_cnn()]), dict(bf16=True)),
    'galaxy_cnn (sigmoid head)':              (lambda: galaxy_cnn(head='sigmoid'), {}),
    'galaxy_cnn (tree_relu head)':            (lambda: galaxy_cnn(head='tree_relu'), {}),
    'reference (32-wide conv1, channels_last)': (lambda: galaxy_cnn(widths=(32, 32, 64, 64, 128, 128, 256, 256)), {}),
    'reference (32-wide conv1, standard)':    (lambda: galaxy_cnn(widths=(32, 32, 64, 64, 128, 128, 256, 256), channels_last=False), {}),
    'study_cnn (sigmoid)':                    (lambda: study_cnn(), {}),
}

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--reps', type=int, default=3, help='runs per figure; the best is reported')
    ap.add_argument('--n-iter', type=int, default=15, help='timed batches per run')
    ap.add_argument('--warmup', type=int, default=3, help='untimed batches per run')
    ap.add_argument('--bs', type=int, default=64)
    ap.add_argument('--size', type=int, default=64)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--only', default='', help='run only models whose name contains this')
    ap.add_argument('--quick', action='store_true', help='1 run of 3 batches: check the script, not the figures (saved under results/quick/)')
    a = ap.parse_args()
    if a.quick: a.reps, a.n_iter, a.warmup = 1, 3, 1
    torch.set_num_threads(a.threads); torch.manual_seed(0)
    m = benchlib.meta()
    print(f"torch {torch.__version__}, {a.threads} threads, batch {a.bs}, {a.size} px, best of {a.reps} × {a.n_iter} batches")
    print(f"{'model':42} {'params':>9} {'train img/s':>12} {'(worst)':>8} {'infer img/s':>12} {'(worst)':>8}")
    t_start, load0 = time.time(), os.getloadavg()[0]
    names = [n for n in MODELS if a.only in n]
    models = {n: MODELS[n][0]() for n in names}
    tr, inf = {n: [] for n in names}, {n: [] for n in names}
    for _ in range(a.reps):  # round-robin, so a burst of contention hits one run of each model rather than all runs of one
        for n in names:
            opts = dict(MODELS[n][1]); infer_only = opts.pop('infer_only', False)
            kw = dict(bs=a.bs, size=a.size, warmup=a.warmup, **opts,
                      n_iter=max(3, a.n_iter // 3) if n.startswith('study') else a.n_iter)  # the study CNN is slow
            tr[n].append(float('nan') if infer_only else throughput(models[n], train=True, **kw))
            inf[n].append(throughput(models[n], train=False, **kw))
    rows = []
    for n in names:
        n_par = sum(p.numel() for p in models[n].parameters())
        t = f"{max(tr[n]):>12.0f} {min(tr[n]):>8.0f}" if not math.isnan(tr[n][0]) else f"{'—':>12} {'—':>8}"  # NaN: inference only
        print(f"{n:42} {n_par:>9,} {t} {max(inf[n]):>12.0f} {min(inf[n]):>8.0f}")
        rows.append(dict(model=n, params=n_par, train_img_s=max(tr[n]), train_img_s_worst=min(tr[n]), infer_img_s=max(inf[n]),
                         infer_img_s_worst=min(inf[n]), train_runs=tr[n], infer_runs=inf[n]))  # NaN (saved as null): inference only
    secs, load1 = time.time()-t_start, os.getloadavg()[0]
    print(f"({secs:.0f} s; 1-min load average {load0:.1f} at start, {load1:.1f} at end, "
          f"on {os.cpu_count()} visible cores: the bench itself adds about 2)")
    benchlib.save('model_bench', dict(models=rows, bs=a.bs, size=a.size, reps=a.reps, n_iter=a.n_iter, warmup=a.warmup,
                                      seconds=secs, load_start=load0, load_end=load1), quick=a.quick, meta_=m)

if __name__ == '__main__': main()
