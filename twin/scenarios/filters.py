"""A small, safe filter language over table columns, e.g. ``year < 1970 and use == "residential"``.

Grammar (parsed with Python's ``ast``, then checked node by node; nothing is ever evaluated by
Python): comparisons ``== != < <= > >=`` (chains like ``1950 <= year < 1970`` too) and
``in`` / ``not in`` a list of literals, joined by ``and``, ``or``, ``not`` and parentheses.
Operands are column names and literals (numbers, strings; ``-`` before a number). Text columns
take ``== != in`` only; every comparison needs a column. Numbers must be finite doubles.
Column names are taken as written (a name in full-width or other compatibility characters does
not match an ASCII column). A comparison with a missing value is unknown, and unknown stays
unknown through ``not`` (SQL's three-valued logic): ``not (year >= 1900)`` does not select a
building whose year is missing; a row is selected only when the filter is known true. Function calls, attribute access, subscripts, arithmetic, lambdas, comprehensions and
everything else are refused.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

MAX_LENGTH = 1000
"""Characters a filter may have."""

_ORDER_OPS: dict[type, Callable[..., Any]] = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
}
_REFUSED = {
    ast.Call: "function calls",
    ast.Attribute: "attribute access",
    ast.Subscript: "subscripts",
    ast.BinOp: "arithmetic",
    ast.Lambda: "lambdas",
    ast.IfExp: "if-expressions",
    ast.NamedExpr: "assignments",
    ast.Starred: "starred expressions",
    ast.Dict: "dicts",
    ast.Set: "sets",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.JoinedStr: "f-strings",
    ast.Slice: "slices",
}


class FilterError(ValueError):
    """A filter that is not in the language, or that does not fit the table's columns."""


Value = int | float | str


@dataclass(frozen=True)
class Filter:
    """A parsed filter: ``text`` as written, ``columns`` it names; ``mask(frame)`` evaluates it.

    Attributes
    ----------
    text : str
        The filter as written.
    tree : ast.expr
        Its checked syntax tree.
    columns : frozenset of str
        The column names it uses.
    """

    text: str
    tree: ast.expr = field(repr=False, compare=False)
    columns: frozenset[str] = frozenset()

    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        """Boolean array: the rows of ``frame`` the filter selects; FilterError for unknown
        columns.

        Parameters
        ----------
        frame : pandas.DataFrame
            The table to select from (buildings or links).

        Returns
        -------
        numpy.ndarray
            One bool per row of ``frame``.

        Raises
        ------
        FilterError
            When the filter names a column ``frame`` does not have.
        """
        unknown = sorted(self.columns - set(map(str, frame.columns)))
        if unknown:
            names = ", ".join(sorted(str(c) for c in frame.columns))
            raise FilterError(f"unknown column {unknown[0]!r}; the columns are: {names}")
        truth, known = _evaluate(self.tree, frame)
        return np.asarray(truth & known, dtype=bool)


def parse_filter(text: str) -> Filter:
    """Parse and check ``text``; FilterError says what is not allowed and where.

    Parameters
    ----------
    text : str
        A filter such as ``year < 1970 and use == "residential"`` (at most 1000 characters).

    Returns
    -------
    Filter
        The checked filter.

    Raises
    ------
    FilterError
        Naming what is not in the language and at which character.
    """
    if len(text) > MAX_LENGTH:
        raise FilterError(f"longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as error:
        raise FilterError(
            f"not a valid expression at character {max(error.offset or 1, 1)}: {error.msg}"
        ) from None
    except (ValueError, RecursionError, MemoryError):
        raise FilterError("not a valid expression") from None
    columns: set[str] = set()
    _check(tree, columns)
    _check_names_as_written(tree, text.strip())
    return Filter(text=text, tree=tree, columns=frozenset(columns))


def _check_names_as_written(tree: ast.expr, text: str) -> None:
    """Refuse column names that Python's parser normalised (NFKC: full-width letters,
    ligatures ...), so a name matches only the column spelled the same."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            written = ast.get_source_segment(text, node)
            if written is not None and written != node.id:
                raise FilterError(f"at character {_where(node)}: column name {written!r} is not "
                                  f"written in plain characters (did you mean {node.id!r}?)")


def _check(node: ast.expr, columns: set[str]) -> None:
    """Refuse every node outside the grammar; collect the column names."""
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _check(value, columns)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        _check(node.operand, columns)
    elif isinstance(node, ast.Compare):
        operands = [node.left, *node.comparators]
        for operand in operands:
            if isinstance(operand, ast.Name):
                columns.add(operand.id)
            elif isinstance(operand, (ast.List, ast.Tuple)):
                for element in operand.elts:
                    _literal(element)
            else:
                _literal(operand)
        for k, op in enumerate(node.ops):
            left, right = operands[k], operands[k + 1]
            if isinstance(op, (ast.In, ast.NotIn)):
                if not isinstance(left, ast.Name):
                    raise FilterError(
                        f"at character {_where(left)}: the left side of 'in' must be a column name"
                    )
                if not isinstance(right, (ast.List, ast.Tuple)):
                    raise FilterError(
                        f"at character {_where(right)}: 'in' needs a list of values, "
                        'like ["a", "b"]'
                    )
            elif not isinstance(op, (ast.Eq, ast.NotEq, *_ORDER_OPS)):
                raise FilterError(
                    f"at character {_where(node)}: only == != < <= > >= in and not in compare"
                )
            elif isinstance(left, (ast.List, ast.Tuple)) or isinstance(
                right, (ast.List, ast.Tuple)
            ):
                raise FilterError(
                    f"at character {_where(node)}: a list goes only after 'in' or 'not in'"
                )
            elif not (isinstance(left, ast.Name) or isinstance(right, ast.Name)):
                raise FilterError(f"at character {_where(left)}: a comparison must name a column")
    else:
        raise FilterError(f"at character {_where(node)}: {_refusal(node)}")


def _literal(node: ast.expr) -> Value:
    """The value of a literal operand (number, string, negated number) or FilterError."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _literal(node.operand)
        if isinstance(value, str):
            raise FilterError(f"at character {_where(node)}: a sign needs a number")
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        try:
            number = float(cast(int | float, node.value))
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise FilterError(f"at character {_where(node)}: a number must be finite and below "
                              f"1.8e308")
        return cast(Value, node.value)
    if isinstance(node, ast.Constant) and type(node.value) is str:
        return node.value
    raise FilterError(f"at character {_where(node)}: {_refusal(node)}")


def _refusal(node: ast.AST) -> str:
    for kind, what in _REFUSED.items():
        if isinstance(node, kind):
            return f"not allowed in a filter: {what}"
    if isinstance(node, ast.Constant):
        return f"{node.value!r} is not a number or a string"
    if isinstance(node, ast.Name):
        return f"a bare column ({node.id}) is not a condition; compare it with a value"
    return (
        f"{type(node).__name__} is not allowed in a filter; use comparisons joined by and, or, not"
    )


def _where(node: ast.AST) -> int:
    return getattr(node, "col_offset", 0) + 1


def _evaluate(node: ast.expr, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(truth, known) per row, in three-valued logic: ``and`` is false where any part is known
    false, ``or`` true where any part is known true, ``not`` keeps unknown unknown."""
    if isinstance(node, ast.BoolOp):
        parts = [_evaluate(v, frame) for v in node.values]
        if isinstance(node.op, ast.And):
            true = np.logical_and.reduce([t & k for t, k in parts])
            false = np.logical_or.reduce([~t & k for t, k in parts])
        else:
            true = np.logical_or.reduce([t & k for t, k in parts])
            false = np.logical_and.reduce([~t & k for t, k in parts])
        return true, true | false
    if isinstance(node, ast.UnaryOp):
        truth, known = _evaluate(node.operand, frame)
        return ~truth, known
    assert isinstance(node, ast.Compare)
    operands = [node.left, *node.comparators]
    parts = [_compare(operands[k], op, operands[k + 1], frame) for k, op in enumerate(node.ops)]
    true = np.logical_and.reduce([t & k for t, k in parts])
    false = np.logical_or.reduce([~t & k for t, k in parts])
    return true, true | false


def _compare(left: ast.expr, op: ast.cmpop, right: ast.expr,
             frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """One comparison over all rows: (truth, known); rows with a missing value are unknown."""
    if isinstance(op, (ast.In, ast.NotIn)):
        assert isinstance(left, ast.Name) and isinstance(right, (ast.List, ast.Tuple))
        values, known, numeric = _column(frame, left.id)
        choices = [_literal(e) for e in right.elts]
        _check_types(left.id, numeric, choices)
        inside = np.isin(values[known], np.asarray(choices, dtype=values.dtype))
        out = np.zeros(len(frame), dtype=bool)
        out[known] = inside if isinstance(op, ast.In) else ~inside
        return out, known
    a, a_known, a_numeric = _operand(left, frame)
    b, b_known, b_numeric = _operand(right, frame)
    if a_numeric != b_numeric:
        name = next(n.id for n in (left, right) if isinstance(n, ast.Name))
        raise FilterError(
            f"column {name!r} holds {'numbers' if _is_numeric(frame, name) else 'text'}: "
            "compare it with a " + ("number" if _is_numeric(frame, name) else "string")
        )
    if isinstance(op, (ast.Eq, ast.NotEq)):
        same = np.asarray(a == b, dtype=bool)
        out = same if isinstance(op, ast.Eq) else ~same
    else:
        if not a_numeric:
            raise FilterError("text compares with == != in only, not < <= > >=")
        out = np.asarray(_ORDER_OPS[type(op)](a, b), dtype=bool)
    known = np.broadcast_to(np.asarray(a_known & b_known, dtype=bool), out.shape)
    return out & known, known


def _operand(
    node: ast.expr, frame: pd.DataFrame
) -> tuple[np.ndarray | Value, np.ndarray | bool, bool]:
    """(values, known, numeric) of a column name or a literal."""
    if isinstance(node, ast.Name):
        return _column(frame, node.id)
    value = _literal(node)
    return value, True, not isinstance(value, str)


def _is_numeric(frame: pd.DataFrame, name: str) -> bool:
    return pd.api.types.is_numeric_dtype(frame[name]) and not pd.api.types.is_bool_dtype(
        frame[name]
    )


def _column(frame: pd.DataFrame, name: str) -> tuple[np.ndarray, np.ndarray, bool]:
    """(values, known, numeric): floats with NaN for numeric columns, else text objects."""
    series = frame[name]
    known = series.notna().to_numpy()
    if _is_numeric(frame, name):
        return series.to_numpy(dtype=np.float64, na_value=np.nan), known, True
    return (
        series.astype(object).where(series.notna(), "").astype(str).to_numpy(dtype=object),
        known,
        False,
    )


def _check_types(name: str, numeric: bool, choices: list[Value]) -> None:
    if any(isinstance(c, str) == numeric for c in choices):
        raise FilterError(
            f"column {name!r} holds {'numbers' if numeric else 'text'}: "
            f"its 'in' list must hold {'numbers' if numeric else 'strings'} only"
        )
