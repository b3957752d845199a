"""The metadata model: the Table Schemas of ``schemas/``, from which the descriptor, the Arrow schemas, the
package README and both row checkers (per document and per package) are generated."""
