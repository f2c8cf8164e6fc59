"""Browser helpers for CI checks: a static file server on 127.0.0.1 and Debian's Chromium driven by Playwright.

The helpers live in the package (`galaxyzoo_nb.test_utils`, chapter 00a), where the notebooks' browser tests (the web
app of `gz_explore`) use them too; this module re-exports them for the checks here
(`sys.path.insert(0, '.ci'); from browser import serve_dir, chromium`).
"""
from galaxyzoo_nb.test_utils import CHROMIUM_ARGS, chromium_path, chromium, local_only, serve_dir, with_chromium

__all__ = ["CHROMIUM_ARGS", "chromium_path", "chromium", "local_only", "serve_dir", "with_chromium"]
