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
        sentences.extend(tokenize_article(article.id, article.body))
    return sentences
