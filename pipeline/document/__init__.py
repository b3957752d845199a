"""Stage 2, a raw file becomes a document: decoding, normalising and reading it into the intermediate document
(paragraphs and tables, each with the place in the file it came from)."""
