"""Stage 6, releases: a validated build becomes an immutable, versioned, citable folder people download.

See ``docs/releases.md``: the layout (:mod:`~pipeline.release.layout`), the data diff against the previous
release (:mod:`~pipeline.release.diff`), the version scheme (:mod:`~pipeline.release.version`), and how a
release is assembled, checked and published (:mod:`~pipeline.release.make`).
"""
