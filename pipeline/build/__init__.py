"""Stage 4, the corpus: each document parsed once per content (parse cache, process pool), its rows in Arrow,
combined per table into content-defined parts."""
