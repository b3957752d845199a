"""yusuan: Chinese government department budget disclosures as a validated Frictionless data package.

Layers, as in PUDL: ``raw`` (files in ``raw/`` with their manifest) -> ``core`` (one parsed document per
raw file, then one table per Table Schema in ``schemas/``) -> ``out`` (the data package in ``datapackage/``).
"""

__version__ = "0.1.0"
