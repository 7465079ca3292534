"""The shipped models, installed as the package data ``pipeline.models`` (see pyproject.toml).

``stance/`` is written by ``make train`` and read by :meth:`pipeline.StanceScorer.load`.
"""
