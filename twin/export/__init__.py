"""The twin out in standard formats, for web viewers and other tools: CityJSON 2.0
(``cityjson``), glTF binary (``glb``), 3D Tiles 1.1 (``3dtiles``) and NGSI-LD Smart Data Models
entities (``ngsi-ld``), from a twin folder or from a results file (the twin its run simulated,
the run's per-building results as attributes). One module per format, ``solids`` and ``mesh``
for the shared geometry, ``frame`` for the local east-north-up frame.

    export(Path("delft.twin"), Path("delft.city.json"), format_of(Path("delft.city.json"), None))
"""

from twin.export.formats import FORMATS, format_of
from twin.export.run import ExportReport, export

__all__ = ["FORMATS", "ExportReport", "export", "format_of"]
