from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def seed_articles():
    from pipeline.ingest import read_article

    return {p.stem[:3]: read_article(p) for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture(scope="session")
def corpus_sentences():
    """Every sentence of seeds/ and data/raw/, tokenised in-process (no generated files needed)."""
    from pipeline import paths
    from pipeline.ingest import iter_article_files, read_article
    from pipeline.tokenize import tokenize_article

    sentences = []
    for path in iter_article_files(paths.input_roots()):
        article = read_article(path)
        sentences.extend(tokenize_article(article.id, article.body, article.title))
    return sentences


@pytest.fixture(scope="session")
def generated_jsonl(tmp_path_factory):
    """240 articles (the seeds and the corpus, cycled) as JSON Lines, with one bad line and one blank line."""
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    from generate import write_generated

    path = write_generated(tmp_path_factory.mktemp("generated") / "articles.jsonl", 240, corpus=True)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[57:57] = ["{not json\n", "\n"]
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def corpus_articles():
    """Every article of seeds/ and data/raw/, parsed."""
    from pipeline import paths
    from pipeline.ingest import iter_article_files, read_article

    return [read_article(path) for path in iter_article_files(paths.input_roots())]
