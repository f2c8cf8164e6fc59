#!/usr/bin/env python
"""Images from other surveys (issue 32): how far the ready model's predictions move when the same galaxy comes as a
16-bit file, a FITS cube of fluxes, or at another pixel scale.

For N sample training galaxies (500; 50 with --quick) the script writes, in a temporary folder: an 8-bit and a 16-bit
grey PNG of the same grey pixels (value x 257); the JPEG enlarged 2x (bicubic, 848 px) given `pixscale` 0.198 in the
catalogue; and a FITS cube of g, r, i fluxes made by undoing the JPEG's asinh stretch (`data.lupton_fluxes`, times an
arbitrary calibration). All go through one catalogue into `predict_catalog('default', ...)` (4-view TTA, the ready
model's settings), and each variant's 37 answers are compared with its source's: the RMSE over galaxies and answers,
and the largest per-galaxy RMSE.
Usage: python bench/survey_images_bench.py [--quick]
"""
import argparse, tempfile, time
from pathlib import Path
import numpy as np, pandas as pd
from PIL import Image
from astropy.io import fits
from galaxyzoo_nb.core import find_data, TRAIN_DIR, CLASSES
from galaxyzoo_nb.data import lupton_fluxes
from galaxyzoo_nb.catalog import predict_catalog
import benchlib

VARIANTS = {'grey16': 'grey8', 'x2_pixscale0.198': 'jpg', 'fits_cube': 'jpg'}  # variant -> what it is compared with

def write_variants(src, d):
    "The catalogue rows of each variant of JPEG `src`, written into folder `d`."
    im, g = Image.open(src), src.stem
    grey = np.asarray(im.convert('L'))
    Image.fromarray(grey).save(d/f'{g}_grey8.png'); Image.fromarray(grey.astype(np.uint16) * 257).save(d/f'{g}_grey16.png')
    im.resize((848, 848), Image.Resampling.BICUBIC).save(d/f'{g}_x2.png')
    flux = lupton_fluxes(np.asarray(im.convert('RGB')))[::-1, :, ::-1].transpose(2, 0, 1) * 1234.5
    fits.writeto(d/f'{g}_cube.fits', np.ascontiguousarray(flux).astype(np.float32))
    return [(f'{g}|jpg', str(src), None), (f'{g}|grey8', f'{g}_grey8.png', None), (f'{g}|grey16', f'{g}_grey16.png', None),
            (f'{g}|x2_pixscale0.198', f'{g}_x2.png', 0.198), (f'{g}|fits_cube', f'{g}_cube.fits', None)]

def main(quick=False):
    m = benchlib.meta()
    n = 50 if quick else 500
    srcs = sorted((find_data()/TRAIN_DIR).glob('*.jpg'))[:n]
    with tempfile.TemporaryDirectory() as d:
        d = Path(d); t = time.time()
        rows = [r for s in srcs for r in write_variants(s, d)]
        pd.DataFrame(rows, columns=['id', 'file', 'pixscale']).to_csv(d/'cat.csv', index=False)
        print(f"{len(rows)} files written in {time.time() - t:.0f} s"); t = time.time()
        p = pd.read_csv(predict_catalog('default', d/'cat.csv', d/'pred.csv', progress=False)).set_index('id')
        print(f"predicted in {time.time() - t:.0f} s")
    figs = dict(n_galaxies=n)
    for v, ref in VARIANTS.items():
        a = p.loc[[f'{s.stem}|{v}' for s in srcs], CLASSES].to_numpy(); b = p.loc[[f'{s.stem}|{ref}' for s in srcs], CLASSES].to_numpy()
        per = np.sqrt(((a - b) ** 2).mean(1))
        figs[v] = dict(vs=ref, rmse=float(np.sqrt(((a - b) ** 2).mean())), max_galaxy_rmse=float(per.max()), p95_galaxy_rmse=float(np.percentile(per, 95)))
        print(f"{v:>18} vs {ref:<5}: RMSE {figs[v]['rmse']:.4f} (95th percentile per galaxy {figs[v]['p95_galaxy_rmse']:.4f}, max {figs[v]['max_galaxy_rmse']:.4f})")
    benchlib.save('survey_images_bench', figs, quick=quick, meta_=m)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0]); ap.add_argument('--quick', action='store_true')
    main(**vars(ap.parse_args()))
