"""Screenshots of the HTML report for README: the index and one article page, in headless Chromium.

    python scripts/report_screenshots.py SITE_DIR ARTICLE_PAGE OUT_DIR

Run by `make screenshots` on the report of the seeds (reports/site-seeds/); writes
OUT_DIR/report_index.png and OUT_DIR/report_article.png.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from browser import chromium  # noqa: E402


def main(site: Path, article: str, out: Path) -> int:
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto((site / "index.html").resolve().as_uri())
        page.screenshot(path=str(out / "report_index.png"), full_page=False)
        page.goto((site / "articles" / article).resolve().as_uri())
        page.screenshot(path=str(out / "report_article.png"), full_page=False)
    print(f"screenshots -> {out}/report_index.png, {out}/report_article.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])))
