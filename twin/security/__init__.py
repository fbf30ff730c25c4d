"""Sharing safely: signed scenario packages, the trust store, safe reading of untrusted zips,
and aggregation of trip-level data before it leaves."""

from twin.security.keys import TrustStore, generate_key_pair
from twin.security.package import (
    PackageInfo,
    extract_package,
    pack_scenario,
    sign_package,
    verify_package,
)
from twin.security.privacy import aggregate_od
from twin.security.safe_zip import PackageError

__all__ = [
    "PackageError", "PackageInfo", "TrustStore", "aggregate_od",
    "extract_package", "generate_key_pair", "pack_scenario", "sign_package", "verify_package",
]
