"""Stage 3, a document becomes rows: the provincial templates turn the intermediate document into the rows of
the tables in ``schemas/``, and the checks judge the document's own arithmetic (:mod:`pipeline.tables.parse`
is the entry point)."""
