# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""systemd's INI dialect, read the way conf-parser.c reads it, and edited without reformatting.

The parser keeps the original bytes and the physical line range of every
assignment, so an unedited file serializes back byte for byte and an edit
touches only the lines it removes or adds. The rules, with their sources, are
in docs/internals/networkd-configuration.md, "The INI dialect":

* lines end at ``\\n``, ``\\r``, ``\\r\\n``, ``\\n\\r`` or NUL; a line over 1 MiB fails the file;
* a comment is a line whose first non-blank character is ``#`` or ``;``; it is
  skipped before continuation handling, so comment lines inside a
  backslash-continued value are dropped and the value goes on;
* a line ending in an unescaped backslash continues: the backslash becomes a
  space and the next line is appended verbatim;
* key and value are stripped around the first ``=``; there are no inline comments;
* a malformed section header or invalid UTF-8 fails the whole file.

systemd up to about v234 read lines with fgets() into 2048 bytes, checked for
comments after joining continuation lines, and failed the file on a line
without ``=``; ``systemd_version`` below MODERN_CONF_PARSER selects that reader.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from typing import List, NamedTuple, Optional, Tuple

from .values import WHITESPACE
from .versions import MODERN_CONF_PARSER, SECTION_HEADER_CHARS_CHECKED

LONG_LINE_MAX = 1024 * 1024          # read_line(f, LONG_LINE_MAX, ...)
LEGACY_LINE_MAX = 2048 - 1           # fgets(l, LINE_MAX, f) keeps one byte for the NUL
COMMENT_STARTS = (b"#", b";")
COMMENT_CHARS = ("#", ";")
WHITESPACE_BYTES = WHITESPACE.encode()
BOM = b"\xef\xbb\xbf"

# A physical line and its terminator. read_line_full() ends a line at \r, \n or NUL and
# swallows further end-of-line bytes of another kind, stopping after a NUL:
# "\r\n", "\n\r", "\n\0" and "\r\n\0" are single terminators, "\n\n" and "\0\n" are two.
_MODERN_LINE = re.compile(rb"[^\r\n\0]*(?:\r\n\0?|\n\r\0?|\r\0?|\n\0?|\0|\Z)")
_LEGACY_LINE = re.compile(rb"[^\n]*(?:\n|\Z)")
_LEGACY_END = re.compile(rb"[\0\r\n]")
_UNSAFE_SECTION_CHARS = re.compile(r"[\x01-\x1f\x7f\"'\\]")


class Assignment(NamedTuple):
    """``key=value`` in ``[section]``; ``line``..``end_line`` are the physical lines it spans."""

    path: str
    section: str
    section_line: int
    key: str
    value: str
    line: int
    end_line: int

    @property
    def location(self):
        return "%s:%d" % (self.path, self.line)


@dataclass
class UnitFile:
    """A parsed file. ``error`` is set when networkd would refuse the whole file."""

    path: str
    raw: bytes
    assignments: List[Assignment] = field(default_factory=list)
    sections: List[Tuple[str, int]] = field(default_factory=list)   # (name, header line)
    error: Optional[str] = None
    warnings: List[str] = field(default_factory=list)
    legacy: bool = field(default=False, repr=False)     # read by the reader of systemd < MODERN_CONF_PARSER

    def get(self, section, key):
        """Every assignment of ``key`` in ``section``, in file order."""
        return [a for a in self.assignments if a.section == section and a.key == key]

    def physical_lines(self):
        """The file's physical lines with their terminators; joined they are ``raw``.

        Split again on each call rather than kept: only edits need them, and
        an audit parses thousands of files it never edits.
        """
        return split_lines(self.raw, self.legacy)


class _FileRejected(Exception):
    """A parse error that makes networkd drop the whole file."""


def split_lines(raw, legacy=False):
    """Physical lines (with terminators) as the reader of that systemd version sees them."""
    if not legacy:
        if b"\r" not in raw and b"\0" not in raw:
            return raw.splitlines(keepends=True)    # only \n ends a line: the usual file, without the regex
        return [line for line in _MODERN_LINE.findall(raw) if line]
    # fgets() into 2048 bytes: only \n ends a line, and longer lines come in 2047-byte pieces.
    pieces = []
    for line in _LEGACY_LINE.findall(raw):
        pieces.extend(line[i:i + LEGACY_LINE_MAX] for i in range(0, len(line), LEGACY_LINE_MAX))
    return pieces


def _content(line, legacy):
    """A physical line without its terminator.

    The old reader's C string ends at a NUL, and truncate_nl() cuts at the first \r or \n.
    """
    if legacy:
        return _LEGACY_END.split(line, 1)[0]
    return line.rstrip(b"\r\n\0")


def _ends_in_unescaped_backslash(text):
    """An odd run of backslashes at the end: each one escapes the next, the last is left over."""
    return (len(text) - len(text.rstrip(b"\\"))) % 2 == 1


def _plain_text(raw):
    """``raw`` decoded, when the modern reader's byte-level rules cannot apply to it; else None.

    That is a file without \\r, NUL, backslash or BOM, valid UTF-8 and shorter
    than a line may be: every line then ends at \\n, none continues another,
    and decoding it whole equals decoding it line by line. Most files are
    plain, and they are read without the byte-level steps.
    """
    if len(raw) > LONG_LINE_MAX or b"\r" in raw or b"\0" in raw or b"\\" in raw or BOM in raw:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None     # run_lines() names the line, or skips it as a comment


class _Parser:
    """One pass of config_parse() over a file; fills a UnitFile."""

    def __init__(self, unit, checks_header_chars):
        self.unit = unit
        self.legacy = unit.legacy
        self.checks_header_chars = checks_header_chars
        self.section = None
        self.section_line = 0

    def run(self):
        text = None if self.legacy else _plain_text(self.unit.raw)
        if text is None:
            self.run_lines()
            return
        # Each line of a plain text is a whole logical line (see _plain_text()).
        for number, line in enumerate(text.split("\n"), start=1):
            line = line.strip(WHITESPACE)
            if line and not line.startswith(COMMENT_CHARS):
                self.parse_text(line, number, number)

    def run_lines(self):
        """The reader, line by line, byte by byte: continuations, a BOM, NUL and \\r, encoding errors."""
        lines, legacy, path = self.unit.physical_lines(), self.legacy, self.unit.path
        continuation = None
        first_line = 0
        bom_seen = False
        for number, line in enumerate(lines, start=1):
            text = _content(line, legacy)
            if len(text) > LONG_LINE_MAX:
                raise _FileRejected("%s:%d: Line too long" % (path, number))
            if not legacy and text.lstrip(WHITESPACE_BYTES).startswith(COMMENT_STARTS):
                continue
            if not bom_seen and text.startswith(BOM):
                text, bom_seen = text[len(BOM):], True
            if continuation is None:
                first_line = number
                logical = text
            else:
                logical = continuation + text
                if len(logical) > LONG_LINE_MAX:
                    raise _FileRejected("%s:%d: Continuation line too long" % (path, number))
            if _ends_in_unescaped_backslash(logical):
                continuation = logical[:-1] + b" "
                continue
            continuation = None
            self.parse_line(logical, first_line, number)
        if continuation is not None:
            self.parse_line(continuation, first_line, len(lines))

    def parse_line(self, logical, first_line, last_line):
        path = self.unit.path
        if self.legacy:
            text = logical.decode("utf-8", "replace").strip(WHITESPACE)
            if text[:1] in ("#", ";"):
                return
        else:
            try:
                text = logical.decode("utf-8").strip(WHITESPACE)
            except UnicodeDecodeError:
                raise _FileRejected("%s:%d: String is not UTF-8 clean, ignoring assignment" % (path, last_line))
        self.parse_text(text, first_line, last_line)

    def parse_text(self, text, first_line, last_line):
        """One logical line, decoded and stripped; comments are gone."""
        path = self.unit.path
        if not text:
            return
        if text.startswith("["):
            self.parse_section_header(text, last_line)
            return
        if self.section is None:
            self.unit.warnings.append("%s:%d: Assignment outside of section. Ignoring." % (path, last_line))
            return
        key, equals, value = text.partition("=")
        if not equals:
            if self.legacy:
                raise _FileRejected("%s:%d: Missing '='." % (path, last_line))
            self.unit.warnings.append("%s:%d: Missing '=', ignoring line." % (path, last_line))
            return
        key = sys.intern(key.strip(WHITESPACE))     # a few names shared by thousands of files
        if not key:
            self.unit.warnings.append("%s:%d: Missing key name before '=', ignoring line." % (path, last_line))
            return
        self.unit.assignments.append(Assignment(
            path=path, section=self.section, section_line=self.section_line,
            key=key, value=value.strip(WHITESPACE), line=first_line, end_line=last_line))

    def parse_section_header(self, text, line):
        if not text.endswith("]") or len(text) < 2:
            raise _FileRejected("%s:%d: Invalid section header '%s'" % (self.unit.path, line, text))
        name = sys.intern(text[1:-1])
        if self.checks_header_chars and _UNSAFE_SECTION_CHARS.search(name):
            raise _FileRejected("%s:%d: Bad characters in section header '%s'" % (self.unit.path, line, text))
        self.section, self.section_line = name, line
        self.unit.sections.append((name, line))


def parse_unit_file(raw, path, systemd_version=None):
    """Parse ``raw`` as networkd would; never raises. A fatal error leaves ``error`` set."""
    legacy = systemd_version is not None and systemd_version < MODERN_CONF_PARSER
    checks_header_chars = systemd_version is None or systemd_version >= SECTION_HEADER_CHARS_CHECKED
    unit = UnitFile(path=path, raw=raw, legacy=legacy)
    try:
        _Parser(unit, checks_header_chars).run()
    except _FileRejected as rejected:
        unit.error = str(rejected)
        unit.assignments, unit.sections = [], []
    return unit


def line_ending(raw):
    """The file's own line ending: CRLF when its first line ends so, else LF."""
    first = raw.find(b"\n")
    return b"\r\n" if first > 0 and raw[first - 1:first] == b"\r" else b"\n"


def rewrite(unit, remove=(), add=()):
    """The bytes of ``unit`` without the ``remove`` assignments and with ``add`` lines.

    ``add`` is a sequence of (section, key, value). Each goes after the last
    assignment of the last section of that name (or right after its header);
    sections the file lacks are appended at the end. Every other byte is kept.
    """
    if unit.error:
        raise ValueError("cannot edit a file networkd rejects: %s" % unit.error)
    eol = line_ending(unit.raw)
    lines = unit.physical_lines()
    dropped = {n for a in remove for n in range(a.line, a.end_line + 1)}
    after_line = {}     # physical line number -> lines to insert after it
    new_sections = {}   # section name -> lines, for sections the file lacks
    for section, key, value in add:
        entry = ("%s=%s" % (key, value)).encode("utf-8") + eol
        anchor = _insertion_line(unit, section)
        if anchor is None:
            new_sections.setdefault(section, []).append(entry)
        else:
            after_line.setdefault(anchor, []).append(entry)

    out = []
    for number, line in enumerate(lines, start=1):
        if number not in dropped:
            out.append(line)
        if number in after_line:
            if out and not out[-1].endswith((b"\n", b"\r", b"\0")):
                out[-1] += eol
            out.extend(after_line[number])
    for section, entries in new_sections.items():
        if out and not out[-1].endswith((b"\n", b"\r", b"\0")):
            out[-1] += eol
        if out:
            out.append(eol)
        out.append(("[%s]" % section).encode("utf-8") + eol)
        out.extend(entries)
    return b"".join(out)


def _insertion_line(unit, section):
    """The physical line after which a new key of ``section`` goes, or None when there is no such section."""
    headers = [line for name, line in unit.sections if name == section]
    if not headers:
        return None
    header = headers[-1]
    members = [a.end_line for a in unit.assignments if a.section == section and a.section_line == header]
    return max(members) if members else header
