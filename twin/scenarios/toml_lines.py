"""Where each key of a TOML document is: tomllib gives values, not line numbers.

The scanner walks a document that tomllib has already accepted and records the line (1-based)
of every table header, key and array element by key path. Array-of-tables headers count per
path, so the n-th ``[[interventions]]`` is ``("interventions", n - 1)``; a sub-table header
(``[interventions.select]``) or a nested ``[[interventions.buildings]]`` belongs to the last
element, as in TOML.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from collections.abc import Mapping

from twin.scenarios.errors import KeyPath

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR_END = ",]}\n#"


def key_lines(text: str) -> dict[KeyPath, int]:
    """Line of every table, key and array element of the (valid) TOML ``text`` by key path."""
    return _Scanner(text).scan()


def line_of(lines: Mapping[KeyPath, int], path: KeyPath) -> int:
    """Line of ``path``, else of its nearest recorded ancestor; 1 for the document itself."""
    for n in range(len(path), 0, -1):
        if path[:n] in lines:
            return lines[path[:n]]
    return 1


class _Scanner:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.newlines = [k for k, c in enumerate(text) if c == "\n"]
        self.lines: dict[KeyPath, int] = {}
        self.arrays: dict[KeyPath, int] = {}

    def line(self) -> int:
        return bisect.bisect_left(self.newlines, self.i) + 1

    def record(self, path: KeyPath) -> None:
        self.lines.setdefault(path, self.line())

    def scan(self) -> dict[KeyPath, int]:
        table: KeyPath = ()
        while True:
            self.skip(newlines=True)
            if self.i >= len(self.s):
                return self.lines
            if self.s.startswith("[[", self.i):
                self.i += 2
                keys = self.key()
                path = self.resolve(keys[:-1]) + keys[-1:]
                count = self.arrays.get(path, 0)
                self.arrays[path] = count + 1
                table = path + (count,)
                self.record(path)
                self.record(table)
            elif self.s[self.i] == "[":
                self.i += 1
                keys = self.key()
                table = self.resolve(keys[:-1]) + keys[-1:]
                self.record(table)
            else:
                self.pair(table)
            self.skip_line()

    def resolve(self, keys: KeyPath) -> KeyPath:
        """Header keys with the index of the last element of every array of tables on the way."""
        out: KeyPath = ()
        for key in keys:
            out += (key,)
            if out in self.arrays:
                out += (self.arrays[out] - 1,)
        return out

    def pair(self, table: KeyPath) -> None:
        """``key = value`` (dotted keys too) inside ``table``."""
        keys = self.key()
        for n in range(1, len(keys) + 1):
            self.record(table + keys[:n])
        self.skip()
        self.i += 1  # "="
        self.skip()
        self.value(table + keys)

    def key(self) -> KeyPath:
        """A dotted key; leaves the position after it (before "=", "]" or "]]")."""
        parts: list[str] = []
        while True:
            self.skip()
            char = self.s[self.i]
            if char in "\"'":
                start = self.i
                self.string()
                parts.append(tomllib.loads("k = " + self.s[start : self.i])["k"])
            else:
                match = _BARE_KEY.match(self.s, self.i)
                assert match is not None, "the document was valid TOML"
                parts.append(match.group())
                self.i = match.end()
            self.skip()
            if self.s.startswith(".", self.i):
                self.i += 1
                continue
            if self.s.startswith("]", self.i):
                self.i += 2 if self.s.startswith("]]", self.i) else 1
            return tuple(parts)

    def value(self, path: KeyPath) -> None:
        char = self.s[self.i]
        if char in "\"'":
            self.string()
        elif char == "[":
            self.array(path)
        elif char == "{":
            self.inline_table(path)
        else:
            while self.i < len(self.s) and self.s[self.i] not in _SCALAR_END:
                self.i += 1

    def array(self, path: KeyPath) -> None:
        self.i += 1
        index = 0
        while True:
            self.skip(newlines=True)
            if self.s[self.i] == "]":
                self.i += 1
                return
            self.record(path + (index,))
            self.value(path + (index,))
            self.skip(newlines=True)
            if self.s[self.i] == ",":
                self.i += 1
                index += 1

    def inline_table(self, path: KeyPath) -> None:
        self.i += 1
        while True:
            self.skip(newlines=True)
            if self.s[self.i] == "}":
                self.i += 1
                return
            self.pair(path)
            self.skip(newlines=True)
            if self.s[self.i] == ",":
                self.i += 1

    def string(self) -> None:
        """Skip a basic, literal or multi-line string starting at the position."""
        s = self.s
        for quotes in ('"""', "'''"):
            if s.startswith(quotes, self.i):
                j = self.i + 3
                while not s.startswith(quotes, j):
                    j += 2 if quotes == '"""' and s[j] == "\\" else 1
                j += 3
                for _ in range(2):  # a string may end in up to two of its quote characters
                    if j < len(s) and s[j] == quotes[0]:
                        j += 1
                self.i = j
                return
        quote = s[self.i]
        j = self.i + 1
        while s[j] != quote:
            j += 2 if quote == '"' and s[j] == "\\" else 1
        self.i = j + 1

    def skip(self, newlines: bool = False) -> None:
        """Skip spaces and tabs, and with ``newlines`` also line breaks and comments."""
        s = self.s
        while self.i < len(s):
            char = s[self.i]
            if char in " \t" or (newlines and char in "\r\n"):
                self.i += 1
            elif newlines and char == "#":
                self.skip_comment()
            else:
                return

    def skip_comment(self) -> None:
        end = self.s.find("\n", self.i)
        self.i = len(self.s) if end < 0 else end

    def skip_line(self) -> None:
        """Skip the rest of a line: spaces and a comment."""
        self.skip()
        if self.s.startswith("#", self.i):
            self.skip_comment()
