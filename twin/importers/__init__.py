"""Importers for city data: one module per format, each a function ``path -> SourceData``."""
