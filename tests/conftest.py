from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def seed_articles():
    from pipeline.ingest import read_article

    return {p.stem[:3]: read_article(p) for p in sorted(SEEDS.glob("*.txt"))}
