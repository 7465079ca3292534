"""osce-stance: stance toward the OSCE in news articles.

The public face is :class:`StanceScorer`; the stages (``ingest``, ``tokenize``,
``label``, ``train``, ``score``) are modules of their own.
"""

__version__ = "0.1.0"
