#!/usr/bin/env python3
"""Check the built documentation site (`_docs/`) in a real browser, as a reader would see it.

Usage: `python .ci/check_site.py [--docs _docs] [--out _docs_check]`; prints one `PASS:`/`FAIL:` line per check, an
indented line per problem (naming the page and the element), and closes with `check_site: N passed, N failed`; exits 1
on any failure. Full-page screenshots (1280 px wide) go to `<out>/screenshots/`.

`_docs/` is served on 127.0.0.1 (module scripts do not load from `file://`) and every page is opened with Debian's
Chromium driven by Playwright (`browser.py`). Requests that leave 127.0.0.1 (the badges, Google fonts, MathJax's CDN)
are aborted, listed as remote and not checked: this machine is offline, the public site is not.

Per page (one PASS/FAIL each):
- it loads with HTTP 200, no local request gets a 4xx/5xx, and the console shows no error or uncaught exception.
  Not counted, and listed at the end: errors about a blocked remote URL, and `define`/`require`/`jQuery`/`$` "is not
  defined" on a page whose remote copy of require.js/jQuery was blocked (Quarto puts both, from cdnjs, on every page
  with an HTML cell output; only a page whose own scripts fail counts);
- every local link resolves: the target page exists (HTTP 200) and its `#anchor`, if any, is an `id` on that page;
- every local image has loaded with a non-zero natural width;
- no rendered cell output is a Python error (the rule below);
- the sidebar links to every page made from a notebook in nbs/ (chapters, tutorials, results, index);
- at a 1280 px viewport the page does not scroll sideways and no element reaches past the page's right edge, unless it
  sits inside a scrolling or clipping container (a wide table in a `.table-responsive` scroller is fine); nor does
  any element of the text column (`main`) run more than 8 px past the column's right edge into the margin (a wrapped
  inline `code` hangs a few px of white space there), except in Quarto's `.column-*` layouts that are meant to be wider.

The error rule. A cell output (`.cell-output*`) is a failure when it is a Jupyter error output (Quarto renders those
as `.cell-output-error`), when it contains `Traceback (most recent call last)`, or when one of its lines starts with an
exception's name, the way Python's last traceback line does (`ValueError: ...`, `galaxyzoo_nb.data.ImageError: ...`,
`KeyError` alone). Text that merely mentions an error (`ImageError` in a table cell, "3 errors", an `errors.csv` path,
warnings) is not. An error shown on purpose belongs in a cell with the Quarto option `#| classes: shows-error`: outputs
in such a cell are exempt (none needs it today: errors are tested with fastcore's `test_fail`, which prints nothing).

Site-wide checks: every notebook has a page; `search.json` (what the site search looks in) contains every name in the
`__all__` of each galaxyzoo_nb module; and the search box itself, typed into, lists a result for one name per module.
"""
import argparse, ast, json, re, sys, time, urllib.error, urllib.parse, urllib.request
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import serve_dir, chromium, local_only

root = Path(__file__).resolve().parents[1]
WIDTH = 1280
ERR_LINE = re.compile(r'^\s*(?:[A-Za-z_][\w]*\.)*[A-Z]\w*(?:Error|Exception)(?::|\s*$)', re.M)
INTENDED = 'shows-error'
# Globals that remote scripts define, so that a page whose copy of the script was blocked (offline) may report them
# undefined: Quarto links require.js and jQuery from cdnjs into every page with an HTML cell output.
REMOTE_GLOBALS = {'require.js': ('define', 'require', 'requirejs'), 'jquery': ('$', 'jQuery')}

def notebooks(nbs=root/'nbs'):
    "The notebooks nbdev renders: nbs/*.ipynb and one level of folders, skipping names that start with '_' or '.'."
    return sorted(p for p in list(nbs.glob('*.ipynb')) + list(nbs.glob('*/*.ipynb'))
                  if not any(part.startswith(('_', '.')) for part in p.relative_to(nbs).parts))

def page_of(nb, nbs=root/'nbs'):
    "The page Quarto makes of notebook `nb`: its path under nbs/, numeric prefix dropped as nbdev's `nbpath2html` does, `.html` (05_learner -> learner.html, 00a_test_utils -> test_utils.html)."
    rel = nb.relative_to(nbs)
    return (rel.parent/(re.sub(r'^\d+[a-zA-Z0-9]*_', '', rel.stem.lower()) + '.html')).as_posix()

def api_names(lib=root/'galaxyzoo_nb'):
    "{module: names in its `__all__`}, read with `ast` (nothing imported)."
    res = {}
    for f in sorted(lib.glob('*.py')):
        for node in ast.parse(f.read_text()).body:
            if isinstance(node, ast.Assign) and any(getattr(t, 'id', None) == '__all__' for t in node.targets):
                res[f.stem] = list(ast.literal_eval(node.value))
    return res

def error_outputs(outputs):
    "The outputs (dicts from the page) that the error rule above flags: [(output, first offending line)]."
    res = []
    for o in outputs:
        if INTENDED in o['cell_classes'].split(): continue
        txt = o['text']
        m = 'Traceback (most recent call last)' in txt and 'Traceback (most recent call last)'
        m = m or ('cell-output-error' in o['classes'].split() and 'a Jupyter error output')
        if not m and (e := ERR_LINE.search(txt)): m = e.group(0).strip()
        if m: res.append((o, m))
    return res

class _Ids(HTMLParser):
    def __init__(self): super().__init__(); self.ids = set()
    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ('id', 'name') and v: self.ids.add(v)

_JS_PAGE = """async () => {
  const de = document.documentElement, W = de.clientWidth;
  const imgs = [...document.images];
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
  const desc = el => {
    let s = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '');
    if (typeof el.className === 'string' && el.className.trim()) s += '.' + el.className.trim().split(/\\s+/).slice(0, 3).join('.');
    const t = (el.innerText || el.getAttribute('alt') || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
    const sec = el.closest('section[id]');
    return s + (sec ? ` in #${sec.id}` : '') + (t ? ` "${t}"` : '');
  };
  const clipped = el => {
    for (let p = el.parentElement; p && p !== document.body && p !== de; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX)) return true;
    }
    return false;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= W + 1) continue;
    if (getComputedStyle(el).visibility === 'hidden' || clipped(el)) continue;
    if (wide.some(w => w.contains(el))) continue;
    wide.push(el);
  }
  const SLACK = 8;  // px: a wrapped inline <code> ends in a few px of hanging white space at the column's edge
  const main = document.querySelector('main#quarto-document-content') || document.querySelector('main');
  const colRight = main ? main.getBoundingClientRect().right : W;
  const outCol = [];
  if (main) for (const el of main.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= colRight + SLACK) continue;
    if (el.closest('[class*="column-"]:not(.column-body)') || getComputedStyle(el).visibility === 'hidden') continue;
    let c = false;
    for (let p = el.parentElement; p && p !== main; p = p.parentElement)
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) { c = true; break; }
    if (c || outCol.some(w => w.contains(el))) continue;
    outCol.push(el);
  }
  return {
    scrollWidth: de.scrollWidth, clientWidth: W,
    outCol: outCol.map(el => desc(el) + ` (right edge ${Math.round(el.getBoundingClientRect().right)} px, column ends at ${Math.round(colRight)} px)`),
    wide: wide.map(el => desc(el) + ` (right edge ${Math.round(el.getBoundingClientRect().right)} px)`),
    links: [...document.querySelectorAll('a[href]')].map(a => ({href: a.href, raw: a.getAttribute('href'), what: desc(a)})),
    images: imgs.map(i => ({src: i.currentSrc || i.src, w: i.naturalWidth, shown: i.clientWidth, what: desc(i)})),
    outputs: [...document.querySelectorAll('.cell-output, .cell-output-error')].map(o => ({
      classes: o.className, text: o.innerText, what: desc(o),
      cell_classes: (o.closest('.cell') || {className: ''}).className})),
    sidebar: [...document.querySelectorAll('#quarto-sidebar a[href]')].map(a => a.href),
    ids: [...document.querySelectorAll('[id], a[name]')].map(e => e.id || e.getAttribute('name')),
  };
}"""

class Checker:
    def __init__(self, docs, out):
        self.docs, self.out = Path(docs), Path(out)
        self.passed = self.failed = 0
        self.n_links = self.n_images = self.n_outputs = 0
        self.remote, self.excused = set(), set()
        self._status, self._ids = {}, {}

    def result(self, name, problems, info=''):
        if problems:
            self.failed += 1
            print(f'FAIL: {name}{info}')
            for p in problems: print(f'    {p}')
        else:
            self.passed += 1
            print(f'PASS: {name}{info}')

    def status(self, url):
        "HTTP status of a local URL (cached)."
        if url not in self._status:
            try:
                with urllib.request.urlopen(url) as r: self._status[url] = r.status
            except urllib.error.HTTPError as e: self._status[url] = e.code
        return self._status[url]

    def ids(self, url):
        "The ids (and a[name]s) of a local page, from its HTML."
        if url not in self._ids:
            p = _Ids()
            with urllib.request.urlopen(url) as r: p.feed(r.read().decode('utf-8', 'replace'))
            self._ids[url] = p.ids
        return self._ids[url]

    def check_links(self, base, page_url, info):
        probs, here = [], set(info['ids'])
        for a in info['links']:
            href, raw = a['href'], a['raw'] or ''
            if raw == '#' or raw.startswith(('javascript:', 'mailto:')): continue
            if not href.startswith(base):
                self.remote.add(href.split('#')[0]); continue
            self.n_links += 1
            target, _, frag = href.partition('#')
            target = target.split('?')[0]
            if target.endswith('/'): target += 'index.html'
            if (st := self.status(target)) != 200:
                probs.append(f'dead link: {raw} -> HTTP {st}: {a["what"]}'); continue
            if frag:
                frag = urllib.parse.unquote(frag)
                ids = here if target == page_url.split('#')[0] else self.ids(target)
                if frag not in ids: probs.append(f'missing anchor: {raw} (no id "{frag}" on {target[len(base):]}): {a["what"]}')
        return probs

    def check_page(self, browser, base, rel, expected_sidebar):
        url = base + rel
        page = browser.new_page(viewport={'width': WIDTH, 'height': 900})
        remote = local_only(page, base)
        console, bad_responses = [], []
        def _console(m):
            loc = (m.location or {}).get('url', '')
            if m.type == 'error' and not (loc and not loc.startswith(base)): console.append(f'{m.text} ({loc or "page"})')
        page.on('console', _console)
        page.on('pageerror', lambda e: console.append(f'uncaught: {e}'))
        page.on('response', lambda r: r.url.startswith(base) and r.status >= 400 and bad_responses.append(f'{r.status} {r.url[len(base):]}'))
        probs = []
        resp = page.goto(url, wait_until='load')
        if resp is None or resp.status != 200: probs.append(f'HTTP {resp and resp.status}: {rel}')
        page.wait_for_load_state('networkidle')
        info = page.evaluate(_JS_PAGE)
        blocked = [u for u in remote if u.endswith('.js') or '.js?' in u]
        for c in console:
            g = re.match(r'uncaught: ReferenceError: (\S+) is not defined', c) or re.match(r'uncaught: (\S+) is not defined', c)
            if g and any(k in u for u in blocked for k, names in REMOTE_GLOBALS.items() if g.group(1) in names):
                self.excused.add(f'{c} (a blocked remote script defines it)'); continue
            probs.append(f'console error: {c}')
        probs += [f'local request failed: {r}' for r in bad_responses]
        probs += self.check_links(base, url, info)
        for im in info['images']:
            if not im['src'].startswith((base, 'data:')): self.remote.add(im['src']); continue
            self.n_images += 1
            if not im['w']: probs.append(f'image does not load: {im["src"][len(base):] if im["src"].startswith(base) else im["src"][:40]}: {im["what"]}')
        self.n_outputs += len(info['outputs'])
        probs += [f'error in cell output ({m}): {o["what"]}' for o, m in error_outputs(info['outputs'])]
        listed = {h.split('#')[0] + ('index.html' if h.split('#')[0].endswith('/') else '') for h in info['sidebar']}
        probs += [f'sidebar does not list {p}' for p in expected_sidebar if base + p not in listed]
        if info['scrollWidth'] > info['clientWidth']:
            probs.append(f'page scrolls sideways at {WIDTH} px: scrollWidth {info["scrollWidth"]} > {info["clientWidth"]}')
        probs += [f'wider than the page: {w}' for w in info['wide']]
        probs += [f'runs out of the text column: {w}' for w in info['outCol']]
        self.remote.update(remote)
        shot = self.out/'screenshots'/(rel.replace('/', '__').removesuffix('.html') + '.png')
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        page.close()
        n_local = sum(a['href'].startswith(base) for a in info['links'])
        self.result(f'page {rel}', [f'{rel}: {p}' for p in probs],
                    f' ({n_local} local links, {len(info["images"])} images, {len(info["outputs"])} outputs)')

    def check_search_json(self, names):
        entries = json.loads((self.docs/'search.json').read_text())
        blob = '\n'.join(e.get('title', '') + '\n' + e.get('section', '') + '\n' + e.get('text', '') for e in entries)
        probs = [f'search.json has no entry mentioning {m}.{n}' for m, ns in names.items() for n in ns
                 if not re.search(rf'(?<!\w){re.escape(n)}(?!\w)', blob)]
        self.result('search.json finds every name in __all__', probs,
                    f' ({sum(map(len, names.values()))} names from {len(names)} modules, {len(entries)} entries)')

    def check_search_box(self, browser, base, names):
        "Type one name per module into the site's search box and expect a result on that module's page."
        page = browser.new_page(viewport={'width': WIDTH, 'height': 900})
        local_only(page, base)
        page.goto(base + 'index.html', wait_until='networkidle')
        probs = []
        for mod, ns in names.items():
            name = ns[-1]
            try:
                page.keyboard.press('Escape')
                page.locator('#quarto-search').click()
                box = page.locator('.aa-Input')
                box.fill(name)
                page.wait_for_selector('.aa-Item', timeout=5000)
                page.wait_for_timeout(300)
                hits = page.locator('.aa-Item a').evaluate_all('els => els.map(a => a.href)')
                if not any(f'/{mod}.html' in h for h in hits): probs.append(f'search box: "{name}" lists no result on {mod}.html ({len(hits)} results)')
            except Exception as e: probs.append(f'search box: "{name}": {type(e).__name__}: {str(e).splitlines()[0]}')
        page.close()
        self.result('search box finds one name per module', probs, f' ({len(names)} names)')

    def run(self):
        nbs_pages = [page_of(nb) for nb in notebooks()]
        missing = [p for p in nbs_pages if not (self.docs/p).exists()]
        self.result('every notebook has a page', [f'no page {p} in {self.docs}' for p in missing], f' ({len(nbs_pages)} notebooks)')
        site = sorted({p.relative_to(self.docs).as_posix() for p in self.docs.rglob('*.html')
                       if 'site_libs' not in p.parts} | set(nbs_pages) - set(missing))
        names = api_names()
        t0 = time.time()
        with serve_dir(self.docs) as base, chromium() as browser:
            for rel in site: self.check_page(browser, base, rel, nbs_pages)
            self.check_search_json(names)
            self.check_search_box(browser, base, names)
        print(f'checked {len(site)} pages, {self.n_links} local links, {self.n_images} local images, {self.n_outputs} cell '
              f'outputs in {time.time() - t0:.0f}s; {len(self.remote)} remote URLs not checked (offline); '
              f'screenshots in {self.out/"screenshots"}')
        for e in sorted(self.excused): print(f'not counted (offline): {e}')
        print(f'check_site: {self.passed} passed, {self.failed} failed')
        return self.failed == 0

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--docs', default=str(root/'_docs'))
    ap.add_argument('--out', default=str(root/'_docs_check'))
    a = ap.parse_args()
    sys.exit(0 if Checker(a.docs, a.out).run() else 1)
