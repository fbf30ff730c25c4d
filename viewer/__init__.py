"""Desktop viewer (PyQt6 + pyvista); draws twins and results, computes nothing itself."""
