"""What every bench script records besides its figures, and where: `bench/results/<bench>/<UTC time>_<host>.json`.

`meta()` describes the run (date, machine, CPU flags, versions, threads, git commit), `save()` writes one run's figures
with it, atomically, and `load()` reads them back for `nbs/results.ipynb`. Runs made with `--quick` (which check that a
script works, not what it measures) are written under `bench/results/quick/` instead, marked `"quick": true`; `load()`
leaves them out and `bench/.gitignore` keeps them out of git. `GALAXYZOO_BENCH_RESULTS` moves the results folder
(for testing the results page against made-up files). Standard library only, so the results page can import it.
"""
import datetime, json, math, os, platform, re, subprocess, sys, tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
CPU_FLAGS = ('avx2', 'avx512f', 'avx512_vnni', 'avx512_bf16', 'amx_bf16', 'amx_tile')  # what decides bf16/int8 speed

def results_dir()->Path:
    "The results folder: `$GALAXYZOO_BENCH_RESULTS`, else `bench/results` beside this file."
    return Path(os.environ.get('GALAXYZOO_BENCH_RESULTS') or BENCH_DIR/'results')

def cpu_info()->dict:
    "CPU model name, which of `CPU_FLAGS` it has, and the cores this process may use (from /proc/cpuinfo where there is one)."
    model, flags = None, set()
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            k, _, v = line.partition(':')
            if k.strip() == 'model name' and model is None: model = v.strip()
            elif k.strip() == 'flags' and not flags: flags = set(v.split())
    except OSError: pass
    try: cores = len(os.sched_getaffinity(0))
    except AttributeError: cores = os.cpu_count()
    return dict(cpu=model or platform.processor() or platform.machine(), cpu_flags=[f for f in CPU_FLAGS if f in flags],
                cores=cores)

def _git(*args):
    try: return subprocess.run(['git', '-C', str(ROOT), *args], capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError): return None

def _version(name):
    try: return __import__(name).__version__
    except Exception: return None

def meta(threads:int=None)->dict:
    "The run's date (UTC), host, CPU, versions, torch threads (`threads`, else torch's setting), GPU and git commit."
    torch = sys.modules.get('torch') or __import__('torch')
    commit = _git('rev-parse', '--short', 'HEAD') or None
    return dict(date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'), host=platform.node(),
                **cpu_info(), python=platform.python_version(), torch=torch.__version__, fastai=_version('fastai'),
                galaxyzoo_nb=_version('galaxyzoo_nb'), threads=threads or torch.get_num_threads(),
                gpu=torch.cuda.get_device_name() if torch.cuda.is_available() else None,
                commit=commit, dirty=bool(_git('status', '--porcelain', '--untracked-files=no')) if commit else None)

def _plain(o):
    "`o` as JSON-ready Python: numpy/torch scalars as numbers, NaN and infinities as `None`, tuples as lists."
    if isinstance(o, dict): return {str(k): _plain(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)): return [_plain(v) for v in o]
    if hasattr(o, 'tolist') and not isinstance(o, (str, bytes)): return _plain(o.tolist())  # numpy arrays and scalars
    if isinstance(o, float) and not math.isfinite(o): return None
    if isinstance(o, Path): return str(o)
    return o

def save(bench:str,          # the script's name, e.g. 'recipe_bench': the folder under `results_dir()`
         figures,            # every figure the run printed, as JSON-able dicts and lists
         argv:list=None,     # the command line (default: `sys.argv[1:]`)
         quick:bool=False,   # a `--quick` run: written under `quick/` and left out by `load`
         meta_:dict=None,    # `meta()` taken when the run started (default: taken now)
        )->Path:
    "Write `{'bench', 'quick', 'meta', 'argv', 'figures'}` to `<results>/[quick/]<bench>/<UTC time>_<host>.json`; print the path."
    m = dict(meta_ or meta())
    m['finished'] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')
    stamp = datetime.datetime.fromisoformat(m['date']).strftime('%Y%m%dT%H%M%SZ')
    host = re.sub(r'[^A-Za-z0-9._-]', '_', m['host'] or 'host')
    d = results_dir()/('quick' if quick else '')/bench
    d.mkdir(parents=True, exist_ok=True)
    fn = d/f'{stamp}_{host}.json'
    doc = _plain(dict(bench=bench, quick=quick, meta=m, argv=list(sys.argv[1:] if argv is None else argv), figures=figures))
    with tempfile.NamedTemporaryFile('w', dir=d, prefix=f'.{fn.name}.', suffix='.tmp', delete=False) as f:
        json.dump(doc, f, indent=1, allow_nan=False); f.write('\n')
    m_ = os.umask(0); os.umask(m_); os.chmod(f.name, 0o666 & ~m_)  # (a temporary file is private: give it a new file's mode)
    os.replace(f.name, fn)
    print(f"wrote {fn}", flush=True)
    return fn

def load(bench:str, quick:bool=False)->list:
    "Every saved run of `bench` (`quick`: the `--quick` runs instead), oldest first, each with its file as `path`."
    d = results_dir()/('quick' if quick else '')/bench
    runs = []
    for fn in sorted(d.glob('*.json')) if d.is_dir() else []:
        r = json.loads(fn.read_text())
        if bool(r.get('quick')) == quick: runs.append(dict(r, path=str(fn)))
    return sorted(runs, key=lambda r: r['meta']['date'])
