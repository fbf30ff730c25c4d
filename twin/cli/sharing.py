"""``twin keygen|pack|sign|verify|trust|export-od``: sharing scenarios safely."""

from __future__ import annotations

import argparse
from pathlib import Path

EXIT_MISMATCH = 1


def register(commands: argparse._SubParsersAction) -> None:
    """Add the sharing subcommands."""
    keygen = commands.add_parser("keygen", help="make an Ed25519 key pair to sign packages")
    keygen.add_argument("stem", type=Path, help="writes STEM.key (private) and STEM.pub (public)")
    keygen.set_defaults(handler=_keygen)

    pack = commands.add_parser("pack", help="pack a scenario and the data it names (.twinpkg)")
    pack.add_argument("scenario", type=Path, help="scenario file (TOML)")
    pack.add_argument("-o", "--output", type=Path, required=True, help="package to write (.twinpkg)")
    pack.add_argument("--k", type=int, default=5,
                      help="OD cells with fewer trips are left out (k-anonymity; default 5)")
    pack.set_defaults(handler=_pack)

    sign = commands.add_parser("sign", help="sign a package with your private key")
    sign.add_argument("package", type=Path)
    sign.add_argument("--key", type=Path, required=True, help="private key (STEM.key)")
    sign.set_defaults(handler=_sign)

    verify = commands.add_parser(
        "verify", help="verify a package (.twinpkg) or the inputs of a results file (.h5)",
        description="A package: members, hashes, safety and the signature against the trust "
                    "store. A results file: do the scenario, base twin and source files it "
                    "records still have the same SHA-256? Exit 1 if not.")
    verify.add_argument("path", type=Path, help="package (.twinpkg) or results file (.h5)")
    verify.add_argument("--trust", type=Path, help="trust store folder (default: $LOCALTWIN_TRUST "
                                                   "or ~/.config/localtwin/trusted-keys)")
    verify.add_argument("--untrusted", action="store_true",
                        help="accept an unsigned package or an unknown signer")
    verify.set_defaults(handler=_verify)

    trust = commands.add_parser("trust", help="add or list the public keys you trust")
    trust.add_argument("action", choices=("add", "list"))
    trust.add_argument("key", type=Path, nargs="?", help="public key to add (NAME.pub)")
    trust.add_argument("--name", help="name to store it under (default: the file's stem)")
    trust.add_argument("--trust", type=Path, help="trust store folder")
    trust.set_defaults(handler=_trust)

    export = commands.add_parser(
        "export-od", help="export a run's trips as an OD matrix CSV with small cells suppressed")
    export.add_argument("results", type=Path)
    export.add_argument("-o", "--output", type=Path, required=True, help="CSV to write")
    export.add_argument("--period", type=float, default=3600.0, help="departure period, s")
    export.add_argument("--k", type=int, default=5, help="smallest cell exported (default 5)")
    export.set_defaults(handler=_export_od)


def _keygen(args: argparse.Namespace) -> int:
    from twin.cli.output import console
    from twin.security.keys import generate_key_pair, key_id, load_public_key

    private, public = generate_key_pair(args.stem)
    console().print(f"written {private} (keep it private) and {public} "
                    f"(key id {key_id(load_public_key(public))})")
    return 0


def _pack(args: argparse.Namespace) -> int:
    import zipfile

    from twin.cli.output import console, styled
    from twin.json_text import loads_json
    from twin.security.package import MANIFEST, pack_scenario

    path = pack_scenario(args.scenario, args.output, k=args.k)
    with zipfile.ZipFile(path) as archive:
        manifest = loads_json(archive.read(MANIFEST))
    out = console()
    for name, entry in manifest["members"].items():
        out.print(f"  {name}  {entry['size']:,} bytes")
    for name, dropped in manifest["k_anonymity"]["suppressed_cells"].items():
        out.print(f"  {name}: {dropped} OD cells of fewer than {args.k} trips left out")
    out.print(styled("written ", (str(path), "bold"), f" (unsigned: twin sign {path} --key YOUR.key)"))
    return 0


def _sign(args: argparse.Namespace) -> int:
    from twin.cli.output import console
    from twin.security.package import sign_package

    console().print(f"signed {args.package} with key {sign_package(args.package, args.key)}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    if args.path.suffix == ".h5":
        return _verify_results(args.path)
    from twin.cli.output import console
    from twin.security.keys import TrustStore
    from twin.security.package import verify_package

    info = verify_package(args.path, TrustStore(args.trust), untrusted=args.untrusted)
    who = (f"signed by {info.signer} (key {info.key_id})" if info.trusted else
           f"signed by an unknown key {info.key_id}, accepted untrusted" if info.signed else
           "unsigned, accepted untrusted")
    console().print(f"{args.path}: {len(info.manifest['members'])} members intact; {who}")
    return 0


def _verify_results(path: Path) -> int:
    from rich.table import Table

    from twin.cli.output import console, styled
    from twin.runs.results_check import check_results_inputs

    checks = check_results_inputs(path)
    table = Table("input", "path", "status", title=f"inputs of {path}")
    for check in checks:
        colour = {"ok": "green", "changed": "red", "missing": "yellow"}[check.status]
        table.add_row(check.what, check.path, styled((check.status, colour)))
    console().print(table)
    return 0 if all(c.status == "ok" for c in checks) else EXIT_MISMATCH


def _trust(args: argparse.Namespace) -> int:
    from rich.table import Table

    from twin.cli.output import console
    from twin.errors import InputError
    from twin.security.keys import TrustStore

    store = TrustStore(args.trust)
    if args.action == "add":
        if args.key is None:
            raise InputError(None, "key", "give the public key file to trust")
        console().print(f"trusting key {store.add(args.key, args.name)} in {store.folder}")
        return 0
    table = Table("name", "key id", title=f"trusted keys in {store.folder}")
    for kid, (name, _) in store.keys().items():
        table.add_row(name, kid)
    console().print(table)
    return 0


def _export_od(args: argparse.Namespace) -> int:
    from twin.cli.output import console
    from twin.errors import InputError
    from twin.runs import read_results
    from twin.security.privacy import released_od

    results = read_results(args.results)
    if results.mobility is None:
        raise InputError(args.results, "mobility", "the run has no mobility results")
    table, left_out = released_od(args.results, results.mobility.trips, args.period, args.k)
    table.to_csv(args.output, index=False)
    console().print(f"written {args.output}: {len(table)} OD cells, {int(table['trips'].sum())} "
                    f"trips; {left_out} trips in cells of fewer than {args.k} left out")
    return 0
