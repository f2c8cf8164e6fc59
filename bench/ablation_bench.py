#!/usr/bin/env python
"""Ablations of the default recipe at 60 epochs: one change at a time, on the fixed 20 % split (issue 6).

Each variant trains `galaxy_cnn` as `train_galaxy` does (crop 192 -> 64 px, tree head, one-cycle at 3e-3, wd 0.05, bf16
where the CPU has it) for `--epochs` epochs with one thing changed, then prints validation RMSE without TTA and with 4 and
8 dihedral views, and the minutes it took.
Besides printing them, the figures (with each variant's per-epoch history) are saved by `benchlib.save` as JSON under
bench/results/ablation_bench/ (--quick runs, 1 epoch each, under bench/results/quick/), which nbs/results.ipynb renders.
Usage: python bench/ablation_bench.py [--epochs 60] [--only NAME ...] [--quick]
Variants: default, context (train on a 2x larger cached crop so rotated corners show real sky), context_zoom13,
no_zoom, no_lighting, lighting02, sqrt (square-root stretch of the input), hidden512 (a hidden dense layer), bicubic,
swa (the last quarter of the epochs at constant lr 5e-4, weights averaged), pseudo (teacher + student on pseudo-labelled test images).
"""
import argparse, json, os, time
import numpy as np, pandas as pd, torch
import torch.nn.functional as F
from torch import nn
from fastai.vision.all import Normalize, TensorImage, Transform, Callback, RandomSplitter
from fastai.torch_core import set_seed
from galaxyzoo_nb.core import find_data, TEST_DIR, CLASSES
from galaxyzoo_nb.data import galaxy_dls, galaxy_df, galaxy_dblock, list_images, galaxy_test_dl, GalaxyAug
from galaxyzoo_nb.learner import galaxy_learner
from galaxyzoo_nb.models import bf16_ok
from galaxyzoo_nb.predict import PredictModel
import benchlib

def tta_preds(learn, n, dl=None):
    "Predictions and targets of `dl` (default: the validation set) averaged over `n` dihedral views, as `predict_images` makes them in float."
    model = learn.model
    learn.model = PredictModel(model, n)
    try:
        with learn.no_bar(), learn.no_logging(): return learn.get_preds(dl=dl)
    finally: learn.model = model

def tta_rmse(learn, n):
    "Validation RMSE with `n` dihedral views (see `tta_preds`)."
    preds, targs = tta_preds(learn, n)
    return float(torch.sqrt(F.mse_loss(preds.float(), targs.float())))

class ViewAug(GalaxyAug):
    "`GalaxyAug` that samples an `out`-px view from the centre of a larger cached crop, with any `grid_sample` mode."
    def __init__(self, out=64, mode='bilinear', **kw): super().__init__(**kw); self.out, self.mode = out, mode
    def encodes(self, x:TensorImage):
        t = x.as_subclass(torch.Tensor)
        theta = self._affine(len(t)).to(t.device, t.dtype) * (self.out / t.shape[-1])
        grid = F.affine_grid(theta, [len(t), t.shape[1], self.out, self.out], align_corners=False)
        t = F.grid_sample(t, grid, mode=self.mode, padding_mode=self.pad_mode, align_corners=False).clamp(0, 1)
        if self.max_lighting and self.p_lighting: t = self._lighting(t)
        return TensorImage(t)

class CentreCut(Transform):
    "The central `out`×`out` pixels of validation/test batches (exactly the 192 px crop when cached at 384 -> 128 px)."
    split_idx, order = 1, 30
    def __init__(self, out=64): self.out = out
    def encodes(self, x:TensorImage):
        a = (x.shape[-1] - self.out) // 2
        return x[..., a:a + self.out, a:a + self.out]

class Sqrt(Transform):
    "Square-root stretch of [0, 1] pixel values (before augmentation and normalisation)."
    order = 20
    def encodes(self, x:TensorImage): return TensorImage(x.as_subclass(torch.Tensor).sqrt())

def make_dls(ctx=1, aug=None, pre=None):
    "DataLoaders for the default crop, cached at `ctx` times the view, with `aug` (default `GalaxyAug()`) and an optional `pre` transform."
    dls = galaxy_dls(crop=192 * ctx, size=64 * ctx, aug=None, normalize=pre is None)
    for dl in dls.loaders: dl.after_batch.add([aug or (ViewAug() if ctx > 1 else GalaxyAug())] + ([CentreCut(64)] if ctx > 1 else []))
    if pre is not None:  # new normalisation statistics for the stretched input
        a = pre(TensorImage(torch.from_numpy(np.stack([o.x for o in dls.train_ds.items[:2000]])).permute(0, 3, 1, 2).float() / 255))
        for dl in dls.loaders: dl.after_batch.add([pre, Normalize.from_stats(a.mean((0, 2, 3)).tolist(), a.std((0, 2, 3)).tolist())])
    return dls

class Average(Callback):
    "Average the model's weights at the end of each epoch into `avg` (stochastic weight averaging)."
    def __init__(self, avg): self.avg = avg
    def after_epoch(self): self.avg.update_parameters(self.learn.model)

def swa_fit(learn, epochs, swa_lr=5e-4):
    "One-cycle for 3/4 of `epochs`, the last quarter at a constant `swa_lr` averaging weights, then BatchNorm statistics anew."
    from torch.optim.swa_utils import AveragedModel
    k = max(1, epochs // 4)  # 15 of 60
    learn.fit_one_cycle(epochs - k, 3e-3)
    avg = AveragedModel(learn.model)
    learn.fit(k, swa_lr, cbs=Average(avg))
    learn.model.load_state_dict(avg.module.state_dict())
    bns = [m for m in learn.model.modules() if isinstance(m, nn.BatchNorm2d)]
    for m in bns: m.reset_running_stats(); m.momentum = None  # cumulative average over one pass
    learn.model.train()
    with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16_ok('cpu')):  # as `BF16` trains
        for xb, _ in learn.dls.train: learn.model(xb)
    for m in bns: m.momentum = 0.1
    learn.epoch_history.rows[-1]['valid_rmse'] = float(learn.validate()[1])

def pseudo_fit(epochs):
    "Teacher on the labelled split, then a student on it plus the test images labelled by the teacher with 8 views."
    dls = make_dls()
    set_seed(42); teacher = galaxy_learner(dls, wd=0.05)
    teacher.fit_one_cycle(epochs, 3e-3)
    files = list_images(find_data()/TEST_DIR)['file'].tolist()
    p, _ = tta_preds(teacher, 8, dl=galaxy_test_dl(dls, files, progress=False))
    df = galaxy_df(); tr, va = RandomSplitter(0.2, seed=42)(df)
    pdf = pd.DataFrame(p.float().numpy(), columns=CLASSES)
    pdf.insert(0, 'fname', [str(f) for f in files]); pdf.insert(0, 'GalaxyID', [int(f.stem) for f in files])
    comb, n = pd.concat([df, pdf], ignore_index=True), len(df)
    dblock = galaxy_dblock(64, 192, 'full', 0.2, 42, True, True)
    dblock.splitter = lambda items: (list(tr) + list(range(n, len(items))), list(va))  # the same validation galaxies
    dls2 = dblock.dataloaders(comb, bs=64, val_bs=256, num_workers=0)
    set_seed(43); student = galaxy_learner(dls2, wd=0.05)
    student.fit_one_cycle(epochs, 3e-3)
    return student

VARIANTS = {  # name -> (DataLoaders maker, learner tweak or None)
    'default':        (lambda: make_dls(), None),
    'context':        (lambda: make_dls(ctx=2), None),
    'context_zoom13': (lambda: make_dls(ctx=2, aug=ViewAug(min_zoom=1/1.3, max_zoom=1.3)), None),
    'no_zoom':        (lambda: make_dls(aug=GalaxyAug(min_zoom=1, max_zoom=1)), None),
    'no_lighting':    (lambda: make_dls(aug=GalaxyAug(max_lighting=0)), None),
    'lighting02':     (lambda: make_dls(aug=GalaxyAug(max_lighting=0.2)), None),
    'sqrt':           (lambda: make_dls(pre=Sqrt()), None),
    'bicubic':        (lambda: make_dls(aug=ViewAug(mode='bicubic')), None),
    'hidden512':      (lambda: make_dls(), 'hidden'),
    'swa':            (lambda: make_dls(), 'swa'),
    'pseudo':         (None, 'pseudo'),
}

def run(name, epochs):
    t0 = time.time()
    make, tweak = VARIANTS[name]
    if tweak == 'pseudo': learn = pseudo_fit(epochs)
    else:
        set_seed(42); learn = galaxy_learner(make(), wd=0.05)
        if tweak == 'hidden':
            fc = learn.model.fc
            learn.model.fc = nn.Sequential(nn.Linear(fc.in_features, 512), nn.ReLU(inplace=True), nn.Dropout(0.25), nn.Linear(512, fc.out_features))
        if tweak == 'swa': swa_fit(learn, epochs)
        else: learn.fit_one_cycle(epochs, 3e-3)
    h = learn.epoch_history.df
    return dict(variant=name, epochs=epochs, valid_rmse=float(h.valid_rmse.iloc[-1]), valid_rmse_tta4=tta_rmse(learn, 4),
                valid_rmse_tta8=tta_rmse(learn, 8), minutes=(time.time() - t0) / 60, history=h.round(6).to_dict('records'))

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--epochs', type=int, default=60)
    p.add_argument('--only', nargs='*', choices=list(VARIANTS), help='variants to run (default: all)')
    p.add_argument('--quick', action='store_true', help='1 epoch each: check the script, not the figures (saved under results/quick/)')
    a = p.parse_args()
    if a.quick: a.epochs = 1
    torch.set_num_threads(os.cpu_count())
    m = benchlib.meta()
    rows = []
    for name in a.only or VARIANTS:
        print(f"\n=== {name}", flush=True)
        rows.append(run(name, a.epochs)); print(json.dumps({k: v for k, v in rows[-1].items() if k != 'history'}), flush=True)
    print('\n' + pd.DataFrame(rows).drop(columns='history').set_index('variant').to_string(float_format=lambda x: f'{x:.4f}'))
    benchlib.save('ablation_bench', dict(epochs=a.epochs, variants=rows), quick=a.quick, meta_=m)
