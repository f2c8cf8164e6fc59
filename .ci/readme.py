#!/usr/bin/env python3
"""Write README.md from nbs/index.ipynb (markdown cells and shown code/outputs) without Quarto.

nbdev's own `nbdev-readme` renders through Quarto, which is not installable offline; this does the same for
the parts index.ipynb uses. `--check` exits 1 when README.md is out of date.
"""
import json, re, sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]

def _fix_links(md):
    "Point relative links at the docs site / repo as seen from the repo root."
    md = re.sub(r'\]\((images/[^)]+)\)', r'](nbs/\1)', md)
    md = re.sub(r'\]\(((?:tutorials/)?[\w.-]+)\.ipynb\)', r'](https://galaxyzoo-nb.github.io/galaxyzoo_nb/\1.html)', md)
    return re.sub(r'\]\(([\w-]+\.html)\)', r'](https://galaxyzoo-nb.github.io/galaxyzoo_nb/\1)', md)

def readme():
    nb = json.loads((root/'nbs'/'index.ipynb').read_text())
    out = []
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown': out.append(_fix_links(src))
        elif not re.search(r'^#\|\s*hide', src, re.M):
            out.append('```python\n' + src.strip() + '\n```')
    return '<!-- Generated from nbs/index.ipynb by .ci/readme.py: edit the notebook, not this file. -->\n\n' + '\n\n'.join(out) + '\n'

if __name__ == '__main__':
    txt, fn = readme(), root/'README.md'
    if '--check' in sys.argv:
        if fn.read_text() != txt: sys.exit('README.md is out of date: run python .ci/readme.py')
    else: fn.write_text(txt)
