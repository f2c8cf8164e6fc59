"""Browser helpers for CI checks: a static file server on 127.0.0.1 and Debian's Chromium driven by Playwright.

Reusable by any check that needs a real browser (the docs site here; later a web app): import with
`sys.path.insert(0, '.ci'); from browser import serve_dir, chromium`.

- Chromium is Debian's (`apt-get install -y chromium`, `/usr/bin/chromium`, or `$CHROMIUM`): Playwright's own browser
  download (`playwright install`) needs network access CI does not have. The flags keep Chromium from calling Google
  hosts in the background (it otherwise tries, and waits, on a closed network).
- Pages are served over HTTP, not opened from `file://`: module scripts (Quarto's search, for one) do not load there.
"""
import contextlib, functools, http.server, os, shutil, subprocess, threading
from pathlib import Path

CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage']

def chromium_path():
    "Debian's Chromium: `$CHROMIUM`, else /usr/bin/chromium, installed with apt-get when missing and we are root."
    p = os.environ.get('CHROMIUM') or '/usr/bin/chromium'
    if Path(p).exists(): return p
    if shutil.which('apt-get') and os.geteuid() == 0:
        env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
        subprocess.run('apt-get update -qq && apt-get install -y -qq chromium >/dev/null', shell=True, check=True, env=env)
    if Path(p).exists(): return p
    raise FileNotFoundError(f'{p} not found: apt-get install -y chromium (Playwright\'s own browsers are not used here)')

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass

class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    def handle_error(self, request, client_address): pass   # a browser that drops a connection is not news

@contextlib.contextmanager
def serve_dir(path, host='127.0.0.1'):
    "Serve the folder `path` over HTTP on `host` and a free port, in a thread; yields the base URL (ending in '/')."
    handler = functools.partial(_QuietHandler, directory=str(path))
    srv = _Server((host, 0), handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try: yield f'http://{host}:{srv.server_address[1]}/'
    finally:
        srv.shutdown(); srv.server_close()

@contextlib.contextmanager
def chromium(headless=True, **kwargs):
    "A Playwright `Browser` running Debian's Chromium, closed on exit."
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), headless=headless, args=CHROMIUM_ARGS, **kwargs)
        try: yield browser
        finally: browser.close()

def local_only(page, base):
    "Abort every request `page` makes outside `base` (a closed network); returns the list the remote URLs go into."
    remote = []
    def _route(route):
        url = route.request.url
        if url.startswith(base) or url.startswith('data:') or url.startswith('blob:'): return route.continue_()
        remote.append(url)
        route.abort()
    page.route('**/*', _route)
    return remote
