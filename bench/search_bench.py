#!/usr/bin/env python
"""Search by example (issue 29): does embedding similarity mean similar morphology, does the outlier score find odd
galaxies, and how do embedding and FAISS scale.

(a) On the ready model's validation galaxies (not trained on; `cli.valid_ids('default')`), each galaxy's 10 nearest
neighbours among them: the RMSE between its 37 labelled vote fractions and each neighbour's, against random pairs;
for the rare classes (merger `Class8.6 > 0.2`, ring `Class8.1 > 0.2`, edge-on `Class2.1 > 0.5`) the share of a
member's 10 neighbours in the class, against the class's base rate. Embeddings compared: the ready model's features
(4-view TTA; centred cosine, the default, and uncentred; and a 64-component PCA), the same network with random
weights (no training), and raw pixels (the centre crop at 16 x 16 px, RGB).
(b) The 100 most unusual (`Embeddings.unusual`) against the base rate: odd (`Class6.1 > 0.5`) and star/artefact
(`Class1.3 > 0.1`, and the mean of `Class1.3`).
(c) Scale: `gz_embed` and `gz_predict` on the same images, one after the other in this run (img/s as each prints it,
and wall seconds with the model load); FAISS on random vectors of the embedding's size (and of a 64-dim PCA):
build seconds, memory (RSS growth), query latency (one query at a time, and 100 in a batch) and recall@10 of the
approximate index against the exact one, at 1e5 and 1e6 vectors. Random vectors: Gaussian (no structure: the hard
case for an IVF) and 'sample-like' (validation embeddings plus noise, so that neighbours exist).
Usage: python bench/search_bench.py [--quick]
"""
import argparse, gc, os, re, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np, pandas as pd
import benchlib

CLASSES_RARE = {'merger': ('Class8.6', 0.2), 'ring': ('Class8.1', 0.2), 'edge-on': ('Class2.1', 0.5)}
K = 10

def rss_mb():
    "This process's resident memory, MB."
    return int(Path('/proc/self/statm').read_text().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20

def quality(S, emb_path, y, ids, rng, center=True):
    "Label RMSE to the 10 neighbours vs random pairs, rare-class shares, and the unusual top 100, for one embeddings file."
    e = S.Embeddings(emb_path, save=False, center=center)
    pos = {g: i for i, g in enumerate(ids)}
    nb = e.similar(list(ids), k=K)
    qi = nb['query'].map(pos).to_numpy(); ni = nb[e.id_name].map(pos).to_numpy()
    rmse_pair = lambda a, b: np.sqrt(((y[a] - y[b])**2).mean(1))
    ra, rb = rng.integers(0, len(ids), 20 * len(ids)), rng.integers(0, len(ids), 20 * len(ids))
    ok = ra != rb
    out = dict(rmse_neighbours=float(rmse_pair(qi, ni).mean()), rmse_random=float(rmse_pair(ra[ok], rb[ok]).mean()),
               rmse_nearest=float(rmse_pair(qi[nb['rank'].to_numpy() == 1], ni[nb['rank'].to_numpy() == 1]).mean()))
    labels = pd.DataFrame(y, columns=S.CLASSES)
    for name, (col, thr) in CLASSES_RARE.items():
        member = (labels[col] > thr).to_numpy()
        m = member[qi]
        out[name] = dict(col=col, threshold=thr, members=int(member.sum()), base_rate=float(member.mean()),
                         share_in_neighbours=float(member[ni[m]].mean()) if m.any() else None)
        out[name]['lift'] = out[name]['share_in_neighbours'] / out[name]['base_rate'] if m.any() else None
    top = e.unusual(top=100, k=K)[e.id_name].map(pos).to_numpy()
    odd, star = (labels['Class6.1'] > 0.5).to_numpy(), (labels['Class1.3'] > 0.1).to_numpy()
    out['unusual_top100'] = dict(odd_share=float(odd[top].mean()), odd_base=float(odd.mean()),
                                 star_share=float(star[top].mean()), star_base=float(star.mean()),
                                 class13_mean=float(labels['Class1.3'].to_numpy()[top].mean()), class13_mean_base=float(labels['Class1.3'].mean()))
    out['dim'] = int(e.vectors.shape[1])
    return out

def write_emb(S, fn, ids, files, v, id_name='GalaxyID'):
    import pyarrow.parquet as pq
    pq.write_table(S.embeddings_table(ids, files, v, id_name, {}), fn)
    return fn

def part_a_b(S, d, quick, rng):
    "Quality figures for each kind of embedding, on the validation galaxies."
    from galaxyzoo_nb.cli import valid_ids
    from galaxyzoo_nb.core import find_data, TRAIN_DIR, TRAIN_CSV, load_labels
    from galaxyzoo_nb.modelfile import read_model
    from galaxyzoo_nb.models import create_model
    from galaxyzoo_nb.data import galaxy_arrays
    path = find_data()
    ids = sorted(valid_ids('default'))
    if quick: ids = ids[:200]
    labels = load_labels(path/TRAIN_CSV).set_index('GalaxyID').loc[ids]
    y = labels[S.CLASSES].to_numpy()
    files = [str(path/TRAIN_DIR/f'{g}.jpg') for g in ids]
    res, secs = {}, {}
    t = time.time()
    model_emb = S.embed_catalog('default', files, d/'model.parquet', progress=False)
    secs['model'] = time.time() - t
    res['model (centred cosine)'] = quality(S, model_emb, y, ids, rng)
    res['model, uncentred cosine'] = quality(S, model_emb, y, ids, rng, center=False)
    v = S.Embeddings(model_emb, save=False).vectors
    p = S.fit_pca(v, 64)
    res['model, PCA 64'] = quality(S, write_emb(S, d/'pca.parquet', ids, files, S.pca_project(v, p)), y, ids, rng)
    learn = read_model('default', cpu=True)
    import torch; torch.manual_seed(0)
    learn.model = create_model('cnn').eval()   # the same network, random weights (BatchNorm at its initial statistics)
    t = time.time()
    res['random-init network'] = quality(S, write_emb(S, d/'rand.parquet', ids, files, S.embed_images(learn, files)), y, ids, rng)
    secs['random'] = time.time() - t
    px = galaxy_arrays(files, 192, 16, cache=False, progress=False).reshape(len(files), -1).astype(np.float32) / 255
    res['raw pixels 16x16'] = quality(S, write_emb(S, d/'px.parquet', ids, files, px), y, ids, rng)
    for k, v in res.items():
        print(f"{k:26s} d={v['dim']:5d}  RMSE to 10 nn {v['rmse_neighbours']:.4f} (nearest {v['rmse_nearest']:.4f}; random pairs {v['rmse_random']:.4f})  "
              + '  '.join(f"{n} {v[n]['share_in_neighbours']:.3f} vs {v[n]['base_rate']:.3f}" for n in CLASSES_RARE)
              + f"  | unusual top100: odd {v['unusual_top100']['odd_share']:.2f} vs {v['unusual_top100']['odd_base']:.2f}, "
                f"star {v['unusual_top100']['star_share']:.2f} vs {v['unusual_top100']['star_base']:.2f}", flush=True)
    return dict(n_galaxies=len(ids), k=K, methods=res)

def part_c_embed(d, quick):
    "gz_embed and gz_predict on the same images, one after the other: img/s as printed, and wall seconds."
    from galaxyzoo_nb.core import find_data, TEST_DIR
    n = 300 if quick else 1197
    src = sorted((find_data()/TEST_DIR).glob('*.jpg'))[:n]
    imgs = d/'imgs'; imgs.mkdir()
    for f in src: os.symlink(f, imgs/f.name)
    bin_ = Path(sys.executable).parent
    out = {}
    for cmd, o in (('gz_predict', 'p.csv'), ('gz_embed', 'e.parquet'), ('gz_predict', 'p2.csv'), ('gz_embed', 'e2.parquet')):
        t = time.time()
        r = subprocess.run([str(bin_/cmd), 'default', str(imgs), '--out', str(d/o)], capture_output=True, text=True)
        wall = time.time() - t
        if r.returncode: raise RuntimeError(r.stderr[-2000:])
        m = re.search(r'\(([\d.]+) img/s, ([^)]*)\)', r.stdout)
        out.setdefault(cmd, []).append(dict(img_s=float(m.group(1)), how=m.group(2), wall_s=wall))
        print(f"{cmd}: {r.stdout.strip()}  [{wall:.1f} s wall]", flush=True)
    return dict(images=n, runs=out)

def sample_vectors(S, data, n, dim, real, rng, chunk=100_000):
    "`n` unit vectors of `dim`: 'gaussian' (isotropic, no structure) or 'sample-like' (Gaussian with the covariance of the `real` embeddings' top 256 components, projected to `dim`)."
    x = np.empty((n, dim), np.float32)
    if data == 'sample-like':
        _, s, vt = np.linalg.svd(real - real.mean(0), full_matrices=False)
        r = min(256, len(s))
        basis = (s[:r, None] / np.sqrt(len(real))) * vt[:r]                        # (r, d): the sample's spread
        if dim != real.shape[1]: basis = basis @ np.linalg.qr(rng.standard_normal((real.shape[1], dim)))[0]  # (a random projection to `dim`)
        basis = basis.astype(np.float32)
    for a in range(0, n, chunk):
        m = min(chunk, n - a)
        z = rng.standard_normal((m, dim if data == 'gaussian' else r), dtype=np.float32)
        x[a:a + m] = S.unit(z if data == 'gaussian' else z @ basis)
    return x

def part_c_faiss(S, quick, real, rng):
    "Build time, memory, latency and recall@10 of the exact and approximate indexes on random vectors."
    import faiss
    sizes = (20_000, 100_000) if quick else (100_000, 1_000_000)
    rows = []
    real = S.unit(real, real.mean(0))   # (as `Embeddings` searches them: centred, unit length)
    for dim in (real.shape[1], 64):
        for n in sizes:
            for data in ('gaussian', 'sample-like'):
                if data == 'gaussian' and n == sizes[-1] and dim != 64: continue  # (1e6 x 1024 twice: the sample-like one is the telling case)
                gc.collect()
                x = sample_vectors(S, data, n, dim, real, rng)
                q = S.unit(x[rng.integers(0, n, 100)] + rng.standard_normal((100, dim), dtype=np.float32) * (0.1 / np.sqrt(dim)))
                truth = None
                for kind in ('flat', 'ivf') + (('hnsw',) if n <= 100_000 and dim <= 64 and not quick else ()):
                    gc.collect(); m0 = rss_mb(); t = time.time()
                    ix = S.build_index(x, kind)
                    build = time.time() - t; mem = rss_mb() - m0
                    t = time.time()
                    for i in range(20): ix.search(q[i:i + 1], K)
                    one = (time.time() - t) / 20
                    t = time.time(); _, I = ix.search(q, K); batch = (time.time() - t) / len(q)
                    if kind == 'flat': truth = I
                    recall = float(np.mean([len(set(a) & set(b)) / K for a, b in zip(I, truth)]))
                    rows.append(dict(n=n, dim=dim, data=data, kind=kind, build_s=build, memory_mb=mem, query_ms=one * 1e3,
                                     batch_query_ms=batch * 1e3, recall10=recall,
                                     nlist=getattr(faiss.extract_index_ivf(ix), 'nlist', None) if kind == 'ivf' else None,
                                     nprobe=faiss.extract_index_ivf(ix).nprobe if kind == 'ivf' else None))
                    print(f"n={n:>9,} d={dim:5d} {data:11s} {kind:4s}: build {build:6.1f} s, +{mem:7.0f} MB, query {one*1e3:7.2f} ms "
                          f"(batch {batch*1e3:6.2f} ms/q), recall@10 {recall:.3f}", flush=True)
                    del ix; gc.collect()
                del x; gc.collect()
    return dict(rows=rows, exact_max=S.EXACT_MAX, nprobe=S.NPROBE)

def main(quick=False):
    m = benchlib.meta()
    import galaxyzoo_nb.search as S
    rng = np.random.default_rng(0)
    figs = {}
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        t0 = time.time()
        figs['quality'] = part_a_b(S, d, quick, rng)
        print(f"[quality: {time.time() - t0:.0f} s]", flush=True)
        real = S.Embeddings(d/'model.parquet', save=False).vectors
        t0 = time.time()
        figs['embed_speed'] = part_c_embed(d, quick)
        print(f"[embedding speed: {time.time() - t0:.0f} s]", flush=True)
        t0 = time.time()
        figs['faiss'] = part_c_faiss(S, quick, real, rng)
        print(f"[faiss: {time.time() - t0:.0f} s]", flush=True)
    benchlib.save('search_bench', figs, quick=quick, meta_=m)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--quick', action='store_true', help='a small run that checks the script works')
    main(**vars(ap.parse_args()))
