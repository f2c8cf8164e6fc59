#!/usr/bin/env python
"""Build the ready model shipped in galaxyzoo_nb/ready/: the default recipe, `gz_train` with no arguments, on the shared sample.

Without --from it runs `gz_train` (no arguments) in a temporary folder first; with --from it takes a model folder that
`gz_train` wrote with no arguments (checked against `train_galaxy`'s defaults). A folder trained before models
carried an uncertainty calibration gets one fitted on its own validation galaxies (`train.fit_model_uncertainty`,
as `train_galaxy` does now) and is saved again. Its config.json, model.safetensors and summary.json are then copied
into galaxyzoo_nb/ready/, where `read_model('default')` and `gz_predict default ...` find them.
Usage: python bench/make_ready_model.py [--from models/galaxyzoo]
"""
import argparse, json, shutil, subprocess, sys, tempfile
from pathlib import Path
from galaxyzoo_nb.core import atomic_write
import inspect
from galaxyzoo_nb.data import galaxy_dls
from galaxyzoo_nb.data import set_normalize
from galaxyzoo_nb.modelfile import read_model, write_model, CONFIG, WEIGHTS
from galaxyzoo_nb.train import fit_model_uncertainty, train_galaxy

READY = Path(__file__).resolve().parents[1]/'galaxyzoo_nb'/'ready'

def main(src=None):
    with tempfile.TemporaryDirectory() as d:
        if src is None:
            subprocess.run([str(Path(sys.executable).parent/'gz_train')], cwd=d, check=True)
            src = Path(d)/'models'/'galaxyzoo'
        src = Path(src)
        summary = json.loads((src/'summary.json').read_text())
        diff = {k: v for k, v in summary['args'].items() if k not in ('out', 'path', 'data') and v != getattr(inspect.signature(train_galaxy).parameters.get(k), 'default', v)}
        if diff: sys.exit(f"{src} was not trained with gz_train's defaults: {diff}")
        learn = read_model(src, cpu=True)
        cfg = learn.model_config
        if not cfg.get('uncertainty'):  # trained before train_galaxy calibrated the uncertainty: do it as train_galaxy does now
            a = summary['args']
            learn.dls = galaxy_dls(a.get('data', a.get('path')), size=a['size'], bs=a['bs'], crop=a['crop'], aug=a['aug'], valid_pct=a['valid_pct'], seed=a['seed'], n=a['n'])
            set_normalize(learn.dls, cfg['normalize'])
            if sorted(o.id for o in learn.dls.valid_ds.items) != sorted(summary['valid_ids']): sys.exit("the validation split differs from the model's")
            rep = fit_model_uncertainty(learn, cfg['tta'])
            cov = rep.loc['all'].round(4).to_dict()
            training = dict(cfg['training'], uncertainty_coverage=cov, uncertainty_note='calibrated after training by bench/make_ready_model.py')
            write_model(learn, src, training=training, tta=cfg['tta'])
            summary.update(uncertainty_coverage=cov, uncertainty_report=rep.round(4).rename_axis('Q').reset_index().to_dict('records'))
            atomic_write(src/'summary.json', lambda t: t.write_text(json.dumps(summary, indent=1)))
            print("uncertainty calibrated on the validation galaxies:\n" + rep.round(3).to_string())
        READY.mkdir(exist_ok=True)
        for f in (WEIGHTS, 'summary.json', CONFIG): shutil.copyfile(src/f, READY/f)  # (the config last: it names the weights' hash)
    learn = read_model('default', cpu=True)
    print(f"ready model in {READY}: {sum((READY/f).stat().st_size for f in (CONFIG, WEIGHTS, 'summary.json'))/1e6:.1f} MB, "
          f"valid RMSE {learn.model_config['training']['valid_rmse_tta']:.4f} with {learn.model_config['tta']} views")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--from', dest='src', help='a model folder gz_train wrote with no arguments (default: train one now)')
    main(p.parse_args().src)
