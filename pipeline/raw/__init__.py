"""Stage 1, raw snapshots: the files in ``raw/``, the manifest that says where each came from, and their hashes."""
