"""Lambda entry points: thin wrappers that wire settings and clients to the logic modules."""

__all__: list[str] = []
