#!/usr/bin/env python
"""What the encoders of timm and the Hub cost on a CPU: images per second predicting and embedding.

The package's `galaxy_cnn` at 64 px against timm's `resnet18` and `convnext_nano` (the architecture of Zoobot's
`hf-hub:mwalmsley/zoobot-encoder-convnext_nano`) at their native input size (224 px, from timm's `pretrained_cfg`),
and ResNet-18 at 64 px. Weights are random (speed does not depend on them; no download). Each network runs as
`predict_images` runs it (`predict.PredictModel`, one view): *predict* is the outputs in float32, *int8* its int8 copy
(`quantize.calibrate_int8` on a few sample galaxies) where the CPU has a quantized engine, *embed* the pooled features
(`features=True`, what `gz_embed` writes). Model only: no decoding (see `data_bench` for that). Each figure is the best
of `--reps` runs (other processes on a shared CPU only slow a run down); the 1-minute load average at the start and end
is recorded, since this machine is shared. What a catalogue of 10^6 galaxies would take is computed from the measured
img/s (one view; `gz_embed`'s default of 4 views takes 4 times as long); no GPU run exists, so the GPU column says
"not measured". The figures are saved by `benchlib.save` under bench/results/encoder_bench/, which nbs/results.ipynb
renders.

    python bench/encoder_bench.py [--reps 2] [--images 96] [--threads 2] [--quick]
"""
import argparse, os, time, warnings
import torch
warnings.filterwarnings('ignore', category=FutureWarning)
from fastai.learner import Learner
from galaxyzoo_nb.core import find_data, TEST_DIR
from galaxyzoo_nb.data import list_images, CROP
from galaxyzoo_nb.models import create_model, throughput
from galaxyzoo_nb.modelfile import empty_dls
from galaxyzoo_nb.predict import PredictModel
from galaxyzoo_nb.quantize import calibrate_int8, int8_engine
import benchlib

MODELS = {  # name -> (arch, input side in px)
    'galaxy_cnn, 64 px': ('cnn', 64),
    'timm/resnet18, 64 px': ('timm/resnet18', 64),
    'timm/resnet18, 224 px': ('timm/resnet18', 224),
    'timm/convnext_nano, 224 px': ('timm/convnext_nano', 224),
}
CATALOGUE = 10**6  # galaxies of the catalogue whose time is estimated

def int8_copy(net, size, files):
    "`net` calibrated for int8 on `files` at `size` px (as `train_galaxy` does), or `None` where int8 cannot run here."
    if int8_engine() is None: return None
    learn = Learner(empty_dls(dict(size=size, crop=CROP, normalize=None)), net)
    try: calibrate_int8(learn, files)
    except Exception as e:
        print(f"  int8 calibration failed ({type(e).__name__}: {e})"); return None
    return net

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--reps', type=int, default=2, help='runs per figure; the best is reported')
    ap.add_argument('--images', type=int, default=96, help='images timed per run (a few batches)')
    ap.add_argument('--bs', type=int, default=32)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--only', default='', help='run only models whose name contains this')
    ap.add_argument('--quick', action='store_true', help='1 run of one batch: check the script, not the figures (saved under results/quick/)')
    a = ap.parse_args()
    if a.quick: a.reps, a.images = 1, a.bs
    torch.set_num_threads(a.threads); torch.manual_seed(0)
    m, load0, t_start = benchlib.meta(a.threads), os.getloadavg(), time.time()
    files = list_images(find_data()/TEST_DIR)['file'][:32].tolist()  # (int8 calibration only)
    n_iter = max(1, a.images // a.bs)
    print(f"torch {torch.__version__}, {a.threads} threads, batch {a.bs}, {n_iter * a.bs} images per run, best of {a.reps}; "
          f"load average {load0[0]:.1f} at start")
    rows = []
    for name, (arch, size) in MODELS.items():
        if a.only not in name: continue
        net = create_model(arch, pretrained=False, size=size).eval()
        runs = dict(predict=lambda: PredictModel(net, 1, bf16=False), embed=lambda: PredictModel(net, 1, bf16=False, features=True))
        if int8_copy(net, size, files) is not None: runs['int8'] = lambda: PredictModel(net, 1, int8=True)
        row = dict(model=name, arch=arch, size=size, params=sum(p.numel() for p in net.parameters()))
        for what, make in runs.items():
            pm = make()
            r = [throughput(pm, train=False, bs=a.bs, size=size, n_iter=n_iter, warmup=1) for _ in range(a.reps)]
            row[f'{what}_img_s'], row[f'{what}_img_s_worst'] = max(r), min(r)
        row['catalogue_hours_2_cores'] = {w: CATALOGUE / row[f'{w}_img_s'] / 3600 for w in runs}
        row['catalogue_hours_gpu'] = None  # not measured: no GPU run exists
        print(f"{name:28} {row['params']:>11,} params  " + '  '.join(f"{w} {row[f'{w}_img_s']:7.1f} img/s" for w in runs)
              + f"  → 10^6 galaxies: {row['catalogue_hours_2_cores']['predict']:.1f} h predicting")
        rows.append(row)
    load1, secs = os.getloadavg(), time.time() - t_start
    print(f"({secs:.0f} s; 1-min load average {load0[0]:.1f} at start, {load1[0]:.1f} at end, on {os.cpu_count()} visible cores, "
          "shared with other jobs: the bench itself adds about 2)")
    benchlib.save('encoder_bench', dict(models=rows, bs=a.bs, images_per_run=n_iter * a.bs, reps=a.reps, views=1,
                                        catalogue=CATALOGUE, gpu='not measured', seconds=secs,
                                        loadavg_start=list(load0), loadavg_end=list(load1)), quick=a.quick, meta_=m)

if __name__ == '__main__': main()
