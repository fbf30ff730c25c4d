"""Pure numerics for the twin: numpy + numba kernels, plain arrays in, plain arrays out.

Nothing here imports ``twin``, ``viewer``, geopandas, h5py or Qt.
"""
