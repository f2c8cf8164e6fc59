#!/usr/bin/env python
"""Discovery from one example (issue 39): how many rare galaxies a few rounds of yes/no answers find, how well the
answers rank the rest, which rule picks the next galaxies, when finetuning beats the probe, and how long a round takes.

(a) The ready model's embeddings (4-view TTA) of the shared sample's labelled galaxies; answers simulated from the
vote fractions for five questions: ring `Class8.1 > 0.2`, merger `Class8.6 > 0.2`, lens/arc `Class8.2 > 0.1`,
edge-on `Class2.1 > 0.5`, bar `Class3.1 > 0.5`. Each run starts from one random yes (the seed) and labels 5 rounds of
10; then: the yeses met while labelling (against chance, 50 x the class's share), the yeses in the top 100 of the
unlabelled rest, and the ROC AUC of the final ranking of the rest. Strategies: random labelling (a logistic probe on
the answers ranks the rest), similarity only (nearest to the yeses, noes ignored), likeliest only (the probe's top 10
each round, similarity until the first no) and mixes of likeliest with random or uncertain picks (20/30/50 %), with
random unlabelled galaxies as weak noes ('bg') or the scores smoothed over 10 neighbours ('knn'): the candidates for
the default. 5 seeds (the seed galaxy and the random picks), mean reported. Note: the ready model was trained on these
galaxies' GZ2 vote fractions (its embeddings are as good as a model trained on a survey's own votes).
(b) Probe against finetuning: the answers of the default strategy (51 labels, seed 0) and 500 random labels, for ring
and merger: the probe on the embeddings against `finetune('default', ...)` (64 px, up to 8 epochs), ROC AUC on the
galaxies that neither used.
(c) One round's time (fit + score + pick, vectors in memory) at 1e5 and 1e6 vectors of 1,024 dimensions drawn with
the covariance of the real embeddings (as search_bench draws them), 100 answers.
Usage: python bench/discover_bench.py [--quick] [--emb FILE] [--parts discovery,finetune,round_time]   (measure on an idle
machine; the load average before (c) and at the end is saved)
"""
import argparse, os, sys, tempfile, time
from pathlib import Path
import numpy as np, pandas as pd
import benchlib

TASKS = {'ring': ('Class8.1', 0.2), 'merger': ('Class8.6', 0.2), 'lens/arc': ('Class8.2', 0.1),
         'edge-on': ('Class2.1', 0.5), 'bar': ('Class3.1', 0.5)}
ROUNDS, K, SEEDS, TOP = 5, 10, 5, 100

def strategies(D):
    "name -> settings: the four the issue names (default = the library's rule) and the candidates tried for the default."
    s = {'random': dict(pick='random'), 'similarity': dict(pick='similarity'), 'likeliest': dict(explore=0.0),
         'default': dict(explore=D.EXPLORE)}
    for ex in (0.2, 0.3, 0.5):
        s[f'mix {ex:.0%} uncertain'] = dict(explore=ex)
        s[f'mix {ex:.0%} random'] = dict(explore=ex, how='random')
    s['mix 30% uncertain, bg 500'] = dict(explore=0.3, bg=500)
    s['mix 30% uncertain, knn 0.3'] = dict(explore=0.3, knn=0.3)
    s['mix 30% uncertain, C 0.1'] = dict(explore=0.3, C=0.1)
    s['mix 30% uncertain, C 10'] = dict(explore=0.3, C=10.0)
    return s

def run(D, x, nn, truth, seed, pick=None, explore=0.3, how='uncertain', bg=0, knn=0.0, C=None):
    "One discovery run: (yeses met per round, final scores, labelled mask)."
    rng = np.random.default_rng(seed)
    C = D.PROBE_C if C is None else C
    done = np.zeros(len(x), bool)
    s0 = rng.choice(np.flatnonzero(truth)); done[s0] = True
    pos, neg, met = [s0], [], []
    def scores():
        if pick == 'similarity': return D.answer_scores(x, x[pos], x[:0])
        n = list(neg)
        if bg and neg: n += list(rng.choice(np.flatnonzero(~done), bg, replace=False))
        s, kind = D.answer_scores(x, x[pos], x[n], C=C)
        if knn and kind == 'probability': s = (1 - knn) * s + knn * s[nn].mean(1)
        return s, kind
    for r in range(ROUNDS):
        if pick == 'random': nxt = rng.choice(np.flatnonzero(~done), K, replace=False)
        else:
            s, kind = scores()
            if how == 'random' and kind == 'probability':
                n_ex = D.n_uncertain(K, kind, explore)
                top = D.next_rows(s, done, K - n_ex, kind, 0.0)
                free = np.flatnonzero(~done); free = free[~np.isin(free, top)]
                nxt = np.concatenate([top, rng.choice(free, n_ex, replace=False)])
            else: nxt = D.next_rows(s, done, K, kind, explore)
        done[nxt] = True
        met.append(int(truth[nxt].sum()))
        for j in nxt: (pos if truth[j] else neg).append(j)
    if pick == 'random' and not neg: pick = 'similarity'
    return met, scores()[0], done

def auc(y, s):
    from sklearn.metrics import roc_auc_score
    return float(roc_auc_score(y, s)) if 0 < y.sum() < len(y) else None

def part_a(D, e, labels, quick):
    x = e.unit
    _, nn = e._search(x, 11); nn = nn[:, 1:]
    strats = strategies(D)
    if quick: strats = {k: strats[k] for k in ('random', 'similarity', 'likeliest', 'default')}
    rows, curves = [], {}
    for task, (col, thr) in TASKS.items():
        truth = (labels[col] > thr).to_numpy()
        t0 = time.time()
        for name, cfg in strats.items():
            res = []
            for seed in range(2 if quick else SEEDS):
                met, s, done = run(D, x, nn, truth, seed, **cfg)
                rest = np.flatnonzero(~done)
                top = rest[np.argsort(-s[rest], kind='stable')[:TOP]]
                res.append((sum(met), int(truth[top].sum()), auc(truth[rest], s[rest]), np.cumsum(met)))
            rows.append(dict(task=task, strategy=name, share=float(truth.mean()), n=int(len(truth)), chance=50 * float(truth.mean()),
                             met=float(np.mean([r[0] for r in res])), top100=float(np.mean([r[1] for r in res])),
                             auc=float(np.mean([r[2] for r in res if r[2] is not None])), seeds=len(res)))
            curves[f'{task}|{name}'] = np.mean([r[3] for r in res], 0).tolist()
        print(f"{task}: {time.time() - t0:.0f} s", flush=True)
    df = pd.DataFrame(rows)
    base = df[df.strategy == 'random'].set_index('task')
    df['met_x_chance'] = df.met / df.chance
    df['in_hand_x_random'] = (df.met + df.top100) / df.task.map(base.met + base.top100)
    df['auc_minus_random'] = df.auc - df.task.map(base.auc)
    df['passes'] = (df.met_x_chance >= 8) & (df.in_hand_x_random >= 1.2) & (df.auc_minus_random >= -0.03)
    print(df[df.strategy.isin(['random', 'similarity', 'likeliest', 'default'])].round(3).to_string(), flush=True)
    print(df.groupby('strategy', sort=False).passes.sum().to_string(), flush=True)
    return dict(rows=df.to_dict('records'), curves=curves, rounds=ROUNDS, k=K, seeds=2 if quick else SEEDS, top=TOP,
                tasks={k: dict(column=c, threshold=t) for k, (c, t) in TASKS.items()}, explore=D.EXPLORE, probe_c=D.PROBE_C)

def part_b(D, e, labels, quick, d):
    "Probe against finetuning on the same answers (ROC AUC on the galaxies neither used)."
    from galaxyzoo_nb.finetune import finetune
    from galaxyzoo_nb.predict import predict_images
    x, ids, files = e.unit, e.meta[e.id_name].to_numpy(), e.meta['file'].to_numpy()
    out = []
    for task in ('ring',) if quick else ('ring', 'merger'):
        col, thr = TASKS[task]; truth = (labels[col] > thr).to_numpy()
        for budget in ('default, 51', 'random, 500'):
            if budget.startswith('default'): _, _, done = run(D, x, None, truth, 0, explore=D.EXPLORE)
            else:
                done = np.zeros(len(x), bool); done[np.random.default_rng(0).choice(len(x), 100 if quick else 500, replace=False)] = True
            y = truth[done]
            if y.sum() < 2 or (~y).sum() < 2: continue
            s, _ = D.answer_scores(x, x[done][y], x[done][~y])
            rest = np.flatnonzero(~done)
            row = dict(task=task, labels=budget, n_labels=int(done.sum()), n_yes=int(y.sum()), probe_auc=auc(truth[rest], s[rest]))
            table = d/f'{task}_{budget[:3]}.csv'
            pd.DataFrame({'id': ids[done], 'file': files[done], 'label': np.where(y, 'yes', 'no')}).to_csv(table, index=False)
            t0 = time.time()
            try:
                learn = finetune('default', str(table), target='label', size=64, epochs=2 if quick else 8, min_per_class=2,
                                 valid_pct=0.2, minutes=5)
                row['finetune_s'] = time.time() - t0
                p = predict_images(learn, list(files[rest]), progress=False)
                pcol = next(c for c in p.columns if c.lower() in ('p_yes', 'yes'))
                row['finetune_auc'] = auc(truth[rest], p[pcol].to_numpy())
            except Exception as err: row['finetune_error'] = f"{type(err).__name__}: {err}"
            print(row, flush=True); out.append(row)
    return out

def part_c(D, real, quick):
    "One round's time at survey scale."
    sys.path.insert(0, str(Path(__file__).parent))
    import search_bench
    import galaxyzoo_nb.search as S
    rng, rows = np.random.default_rng(0), []
    for n in ((20_000,) if quick else (100_000, 1_000_000)):
        x = search_bench.sample_vectors(S, 'sample-like', n, real.shape[1], real, rng)
        done = np.zeros(n, bool); done[:100] = True
        for rep in range(3):
            t0 = time.time()
            s, kind = D.answer_scores(x, x[:10], x[10:100])
            D.next_rows(s, done, K, kind)
            rows.append(dict(n=n, d=int(x.shape[1]), answers=100, seconds=time.time() - t0, rep=rep))
            print(rows[-1], flush=True)
        t0 = time.time(); D.answer_scores(x, x[:10], x[:0]); rows.append(dict(n=n, d=int(x.shape[1]), answers=10, kind='similarity', seconds=time.time() - t0))
        del x
    return rows

PARTS = ('discovery', 'finetune', 'round_time')  # what `--parts` may name (default: all three)

def main(quick=False, emb=None, parts=','.join(PARTS)):
    want = [p.strip() for p in parts.split(',') if p.strip()]
    if bad := [p for p in want if p not in PARTS]: raise SystemExit(f"--parts: {', '.join(bad)}: not one of {', '.join(PARTS)}")
    m = benchlib.meta()
    import galaxyzoo_nb.discover as D
    from galaxyzoo_nb.core import find_data, load_labels, TRAIN_CSV, TRAIN_DIR
    from galaxyzoo_nb.search import Embeddings, embed_catalog
    data = find_data()
    labels = load_labels(data/TRAIN_CSV)
    if quick and emb is None: labels = labels.iloc[:1500]
    figs = {}
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        if emb is None:
            t0 = time.time()
            emb = embed_catalog('default', [str(data/TRAIN_DIR/f'{i}.jpg') for i in labels.GalaxyID], d/'emb.parquet', progress='lines')
            figs['embed_seconds'] = time.time() - t0
        e = Embeddings(emb, save=False)
        labels = labels.set_index('GalaxyID').loc[e.meta[e.id_name].to_numpy()]
        if 'discovery' in want:
            t0 = time.time(); figs['discovery'] = part_a(D, e, labels, quick); print(f"[discovery: {time.time() - t0:.0f} s]", flush=True)
        if 'finetune' in want:
            t0 = time.time(); figs['probe_vs_finetune'] = part_b(D, e, labels, quick, d); print(f"[finetune: {time.time() - t0:.0f} s]", flush=True)
        if 'round_time' in want:
            figs['round_time_load_before'] = os.getloadavg()
            t0 = time.time(); figs['round_time'] = part_c(D, e.vectors, quick); print(f"[round time: {time.time() - t0:.0f} s]", flush=True)
    figs['load_avg'] = os.getloadavg()
    benchlib.save('discover_bench', figs, quick=quick, meta_=m)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--quick', action='store_true', help='a small run that checks the script works')
    ap.add_argument('--emb', help='an embeddings file of the sample (from gz_embed default) instead of embedding it here')
    ap.add_argument('--parts', default=','.join(PARTS), help=f"comma-separated parts to run, of {', '.join(PARTS)} (the results page shows each from the newest run that has it)")
    main(**vars(ap.parse_args()))
