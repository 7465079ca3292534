"""osce-stance: stance toward the OSCE in news articles.

>>> from pipeline import StanceScorer
>>> StanceScorer.load().predict(["Kazakhstan welcomed the ODIHR recommendations."])
['cooperative']

The stages (``ingest``, ``tokenize``, ``label``, ``train``, ``score``) are modules of their own.
"""

__version__ = "0.1.0"

from .api import StanceScorer  # noqa: E402

__all__ = ["StanceScorer", "__version__"]
