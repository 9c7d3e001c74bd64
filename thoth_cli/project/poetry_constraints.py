"""Poetry's version constraints and `python`/`platform` conditions as PEP 440 specifiers and PEP 508 markers.

Poetry's grammar (poetry-core `constraints/version/parser.py`) is richer than PEP 440: caret
and tilde ranges, bare versions meaning `==`, and `||` unions. Each constraint is read into a
union of version ranges, combined as Poetry combines them (`,`/space intersect, `||` unites),
and only then written out as PEP 440 specifiers, so the result means what Poetry means.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from thoth_cli.errors import Location, ManifestError

_CONSTRAINT_FIX = (
    "write a Poetry constraint such as '^1.2', '~1.2.3', '>=1.2,<2.0', '1.2.*', '==1.2.3' or '*'"
)
_OPERATOR_GAP = re.compile(r"(\^|~=|~|<>|!=|==|<=|>=|<|>|=)\s+")
_OR = re.compile(r"\s*\|\|?\s*")
_AND = re.compile(r"[\s,]+")
_ANY = re.compile(r"^v?[xX*](?:\.[xX*])*$")
_TILDE = re.compile(r"^~(?!=)(?P<version>.+)$")
_TILDE_PEP440 = re.compile(r"^~=(?P<version>.+)$")
_CARET = re.compile(r"^\^(?P<version>.+)$")
_X_RANGE = re.compile(r"^(?P<op>!=|==)?v?(?P<release>\d+(?:\.\d+){0,2})(?:\.[xX*])+$")
_BASIC = re.compile(r"^(?P<op><>|!=|>=|<=|==|=|<|>)?(?P<version>.+?)(?P<wildcard>\.\*)?$")
_MAX_EXCLUDED_SERIES = 100
"""A gap wider than this many release series is refused rather than spelled out."""


@dataclass(frozen=True)
class _Range:
    """One contiguous run of versions; a missing bound is unbounded."""

    low: Version | None = None
    low_inclusive: bool = False
    high: Version | None = None
    high_inclusive: bool = False


_EVERYTHING: tuple[_Range, ...] = (_Range(),)


@dataclass(frozen=True)
class _Written:
    """A constraint as written and where, so any step of reading it can refuse it precisely."""

    text: str
    location: Location

    def unknown(self, atom: str) -> ManifestError:
        whole = atom.strip() == self.text.strip()
        return ManifestError(
            "unknown version constraint" + ("" if whole else f" {atom!r} in"),
            location=self.location,
            text=repr(self.text),
            fix=_CONSTRAINT_FIX,
        )

    def unrepresentable(self, detail: str) -> ManifestError:
        return ManifestError(
            f"this union cannot be written as one PEP 440 specifier set ({detail})",
            location=self.location,
            text=repr(self.text),
            fix="widen it to one range, or give one entry per range with its own `python` or "
            "`markers` condition (a list of tables)",
        )


def _version(text: str, atom: str, written: _Written) -> Version:
    # Poetry reads the bare word `dev` as the lowest development release.
    if text == "dev":
        text = "0.0.dev0"
    try:
        return Version(text.strip())
    except InvalidVersion:
        raise written.unknown(atom) from None


def _make(epoch: int, release: Sequence[int], *, dev0: bool = False) -> Version:
    text = f"{epoch}!" + ".".join(str(part) for part in release)
    return Version(text + ".dev0" if dev0 else text)


def _is_final(version: Version) -> bool:
    """A plain release: no pre, post, dev or local segment."""
    return version.pre is None and version.post is None and version.dev is None and version.local is None


def _is_series_floor(version: Version) -> bool:
    """`R.dev0`: the first version of release series R, below all of R's pre-releases."""
    return version.dev == 0 and version.pre is None and version.post is None and version.local is None


def _stable(version: Version) -> Version:
    """Poetry's `Version.stable`: the release a pre- or dev-release leads up to."""
    if version.pre is None and version.dev is None:
        return version
    text = f"{version.epoch}!" + ".".join(str(part) for part in version.release)
    if version.pre is None and version.post is not None:
        text += f".post{version.post}"
    return Version(text)


def _next_major(release: tuple[int, ...]) -> tuple[int, ...]:
    return (release[0] + 1, *(0 for _ in release[1:]))


def _next_minor(release: tuple[int, ...]) -> tuple[int, ...]:
    if len(release) == 1:
        return (release[0], 1)
    return (release[0], release[1] + 1, *(0 for _ in release[2:]))


def _next_patch(release: tuple[int, ...]) -> tuple[int, ...]:
    if len(release) == 1:
        return (release[0], 0, 1)
    if len(release) == 2:
        return (release[0], release[1], 1)
    return (release[0], release[1], release[2] + 1, *(0 for _ in release[3:]))


def _next_in_series(release: tuple[int, ...]) -> tuple[int, ...]:
    """The series after `release` at its own precision: 1.2 -> 1.3, 1 -> 2, 1.2.3 -> 1.2.4."""
    return (*release[:-1], release[-1] + 1)


def _below(version: Version) -> _Range:
    # PEP 440 `<V` (and Poetry's) leaves out V's own pre-releases, so a final V is a bound
    # just below `V.dev0`; keeping it that way lets ranges from different spellings compare.
    if _is_final(version):
        version = _make(version.epoch, version.release, dev0=True)
    return _Range(high=version)


def _upto(low: Version, high_release: tuple[int, ...], epoch: int) -> _Range:
    return _Range(low, True, _make(epoch, high_release, dev0=True), False)


def _series(version: Version, atom: str, written: _Written, *, excluded: bool) -> tuple[_Range, ...]:
    if not _is_final(version):
        raise written.unknown(atom)
    release = version.release
    inside = _Range(
        _make(version.epoch, release, dev0=True),
        True,
        _make(version.epoch, _next_in_series(release), dev0=True),
        False,
    )
    if not excluded:
        return (inside,)
    return (_Range(high=inside.low), _Range(inside.high, True))


def _parse_atom(atom: str, written: _Written) -> tuple[_Range, ...]:
    """One comparison, as poetry-core's `parse_single_constraint` reads it, in the same order."""
    if _ANY.match(atom):
        return _EVERYTHING
    if match := _TILDE.match(atom):
        version = _version(match["version"], atom, written)
        stable = _stable(version)
        high = _next_major(stable.release) if len(version.release) == 1 else _next_minor(stable.release)
        return (_upto(version, high, version.epoch),)
    if match := _TILDE_PEP440.match(atom):
        version = _version(match["version"], atom, written)
        stable = _stable(version)
        high = _next_major(stable.release) if len(version.release) == 2 else _next_minor(stable.release)
        return (_upto(version, high, version.epoch),)
    if match := _CARET.match(atom):
        version = _version(match["version"], atom, written)
        stable, release = _stable(version), version.release
        if release[0] > 0 or len(release) == 1:
            high = _next_major(stable.release)
        elif release[1] > 0 or len(release) == 2:
            high = _next_minor(stable.release)
        else:
            high = _next_patch(stable.release)
        return (_upto(version, high, version.epoch),)
    if match := _X_RANGE.match(atom):
        version = _version(match["release"], atom, written)
        return _series(version, atom, written, excluded=match["op"] == "!=")
    if match := _BASIC.match(atom):
        op, version = match["op"] or "==", _version(match["version"], atom, written)
        # Like Poetry, a trailing `.*` only matters to == and !=.
        if op == "<":
            return (_below(version),)
        if op == "<=":
            return (_Range(high=version, high_inclusive=True),)
        if op == ">":
            return (_Range(version, False),)
        if op == ">=":
            return (_Range(version, True),)
        if match["wildcard"]:
            return _series(version, atom, written, excluded=op in ("!=", "<>"))
        if op in ("!=", "<>"):
            return (_Range(high=version), _Range(version, False))
        return (_Range(version, True, version, True),)
    raise written.unknown(atom)


def _low_after(a: _Range, b: _Range) -> bool:
    """Whether a's lower bound is above b's."""
    if a.low is None or b.low is None:
        return b.low is None and a.low is not None
    if a.low != b.low:
        return a.low > b.low
    return not a.low_inclusive and b.low_inclusive


def _high_below(a: _Range, b: _Range) -> bool:
    """Whether a's upper bound is below b's."""
    if a.high is None or b.high is None:
        return b.high is None and a.high is not None
    if a.high != b.high:
        return a.high < b.high
    return not a.high_inclusive and b.high_inclusive


def _intersect_range(a: _Range, b: _Range) -> _Range | None:
    low = a if _low_after(a, b) else b
    high = a if _high_below(a, b) else b
    result = _Range(low.low, low.low_inclusive, high.high, high.high_inclusive)
    if result.low is not None and result.high is not None:
        if result.low > result.high:
            return None
        if result.low == result.high and not (result.low_inclusive and result.high_inclusive):
            return None
    return result


def _normalise(ranges: Iterable[_Range]) -> tuple[_Range, ...]:
    """Sort and merge overlapping or touching ranges."""
    ordered = sorted(
        ranges,
        key=lambda r: (r.low is not None, r.low or Version("0"), not r.low_inclusive),
    )
    merged: list[_Range] = []
    for item in ordered:
        if merged:
            last = merged[-1]
            touching = (
                last.high is None
                or item.low is None
                or last.high > item.low
                or (last.high == item.low and (last.high_inclusive or item.low_inclusive))
                # Poetry joins `<2.0` and `>=2.0` (`^1.0 || ^2.0` is `>=1.0,<3.0`): the only
                # versions between them are 2.0's own pre-releases.
                or (
                    not last.high_inclusive
                    and item.low_inclusive
                    and _is_series_floor(last.high)
                    and _is_final(item.low)
                    and last.high == _make(item.low.epoch, item.low.release, dev0=True)
                )
            )
            if touching:
                top = item if _high_below(last, item) else last
                merged[-1] = replace(last, high=top.high, high_inclusive=top.high_inclusive)
                continue
        merged.append(item)
    return tuple(merged)


def _intersect(a: Sequence[_Range], b: Sequence[_Range]) -> tuple[_Range, ...]:
    found = (_intersect_range(x, y) for x in a for y in b)
    return _normalise(r for r in found if r is not None)


def _parse_ranges(written: _Written) -> tuple[_Range, ...]:
    """The versions a whole Poetry constraint allows, as sorted disjoint ranges."""
    if written.text.strip() == "*":
        return _EVERYTHING
    alternatives: list[_Range] = []
    for alternative in _OR.split(written.text.strip()):
        atoms = [a for a in _AND.split(_OPERATOR_GAP.sub(r"\1", alternative.strip())) if a]
        if not atoms:
            raise written.unknown(alternative)
        allowed: tuple[_Range, ...] = _EVERYTHING
        for atom in atoms:
            allowed = _intersect(allowed, _parse_atom(atom, written))
        alternatives.extend(allowed)
    return _normalise(alternatives)


def _wildcard(epoch: int, release: Sequence[int]) -> str:
    text = ".".join(str(part) for part in release) + ".*"
    return f"{epoch}!{text}" if epoch else text


def _range_specifiers(item: _Range) -> list[tuple[str, str]]:
    """One range as PEP 440 (operator, version) pairs, preferring `==R.*` for whole series."""
    low, high = item.low, item.high
    if low is not None and low == high:
        return [("==", str(low))]
    result: list[tuple[str, str]] = []
    high_done = False
    if low is not None:
        if item.low_inclusive and _is_series_floor(low):
            ceiling = _make(low.epoch, _next_in_series(low.release), dev0=True)
            fits = high is not None and (high < ceiling or (high == ceiling and not item.high_inclusive))
            if fits:
                result.append(("==", _wildcard(low.epoch, low.release)))
                high_done = high == ceiling
            else:
                result.append((">=", str(low)))
        else:
            result.append((">=" if item.low_inclusive else ">", str(low)))
    if high is not None and not high_done:
        if item.high_inclusive:
            result.append(("<=", str(high)))
        elif _is_series_floor(high):
            result.append(("<", str(_make(high.epoch, high.release))))
        else:
            result.append(("<", str(high)))
    return result


def _gap_specifiers(before: _Range, after: _Range, written: _Written) -> list[tuple[str, str]]:
    """The exclusions that remove the gap between two neighbouring ranges; refused if none can."""
    top, bottom = before.high, after.low
    assert top is not None and bottom is not None  # interior gaps are bounded on both sides
    if top == bottom and not before.high_inclusive and not after.low_inclusive:
        return [("!=", str(top))]
    if (
        not before.high_inclusive
        and not after.low_inclusive
        and _is_final(bottom)
        and top == _make(bottom.epoch, bottom.release, dev0=True)
    ):
        # `<2.0 || >2.0` is how Poetry itself reads `!=2.0`.
        return [("!=", str(bottom))]
    # A gap from series floor X up to Y is a run of whole release series (`!=2.*`) when X and Y
    # differ in one position only. Pre-releases of Y itself stay allowed by the specifiers,
    # the one place where the result is wider than the union.
    if (
        not before.high_inclusive
        and after.low_inclusive
        and _is_series_floor(top)
        and (_is_final(bottom) or _is_series_floor(bottom))
        and top.epoch == bottom.epoch
    ):
        width = max(len(top.release), len(bottom.release))
        x = top.release + (0,) * (width - len(top.release))
        y = bottom.release + (0,) * (width - len(bottom.release))
        position = next((i for i, (p, q) in enumerate(zip(x, y, strict=True)) if p != q), None)
        if (
            position is not None
            and x[position] < y[position]
            and not any(x[position + 1 :])
            and not any(y[position + 1 :])
            and y[position] - x[position] <= _MAX_EXCLUDED_SERIES
        ):
            prefix = x[:position]
            return [
                ("!=", _wildcard(top.epoch, (*prefix, number))) for number in range(x[position], y[position])
            ]
    raise written.unrepresentable(
        f"nothing in PEP 440 excludes exactly the versions between "
        f"{''.join(_range_specifiers(_Range(high=top, high_inclusive=before.high_inclusive))[-1])} and "
        f"{''.join(_range_specifiers(_Range(bottom, after.low_inclusive))[0])}"
    )


def _to_specifiers(ranges: Sequence[_Range], written: _Written) -> list[tuple[str, str]]:
    hull = _Range(ranges[0].low, ranges[0].low_inclusive, ranges[-1].high, ranges[-1].high_inclusive)
    pairs = _range_specifiers(hull) if len(ranges) > 1 else _range_specifiers(ranges[0])
    for before, after in itertools.pairwise(ranges):
        pairs.extend(_gap_specifiers(before, after, written))
    return pairs


def _located_ranges(written: _Written) -> tuple[_Range, ...]:
    ranges = _parse_ranges(written)
    if not ranges:
        raise ManifestError(
            "version constraint matches no version",
            location=written.location,
            text=repr(written.text),
            fix="check the bounds: each lower bound must be below its upper bound",
        )
    return ranges


def poetry_specifier(text: str, *, location: Location) -> SpecifierSet:
    """The PEP 440 specifier set that allows what Poetry constraint `text` allows.

    A `||` union becomes its hull minus whole release series (`^1.2 || ^3.0` is
    `>=1.2,<4.0,!=2.*`), exact but for the pre-releases of the range just above a gap
    (3.0a1 here), which no specifier can exclude; a union with any other gap, or a
    constraint Poetry would not parse, raises ManifestError naming it.
    """
    written = _Written(text, location)
    pairs = _to_specifiers(_located_ranges(written), written)
    for op, version in pairs:
        if op not in ("==", "!=") and (local := Version(version)).local is not None:
            raise ManifestError(
                f"a local version ({local}) cannot bound a range: PEP 440 compares local versions "
                "only with == and !=",
                location=location,
                text=repr(text),
                fix=f"write {local.public} without the local label, or pin that one build with =={local}",
            )
    return SpecifierSet(",".join(op + version for op, version in pairs))


def poetry_python_marker(text: str, *, location: Location) -> Marker | None:
    """The environment marker for a per-dependency `python = "..."` (None when it allows all).

    Poetry compares `python_version` (X.Y) unless a bound names a patch release, which needs
    `python_full_version`; a union becomes an `or` of its ranges, so it is always exact.
    """
    ranges = _located_ranges(_Written(text, location))
    if ranges == _EVERYTHING:
        return None
    alternatives = []
    for item in ranges:
        terms = []
        for op, version in _range_specifiers(item):
            plain = Version(version.removesuffix(".*"))
            variable = (
                "python_version" if len(plain.release) <= 2 and _is_final(plain) else "python_full_version"
            )
            terms.append(f'{variable} {op} "{version}"')
        alternatives.append(" and ".join(terms))
    return _any_of(alternatives)


def poetry_platform_marker(value: str, *, location: Location) -> Marker:
    """Poetry's `platform` (`linux`, `!=win32`, `linux || darwin`) as `sys_platform` comparisons."""
    alternatives = []
    for alternative in re.split(r"\s*\|\|\s*", value.strip()):
        terms = []
        for term in (t.strip() for t in alternative.split(",")):
            match = re.fullmatch(r"(?P<op>==|!=)?\s*(?P<name>[A-Za-z0-9_.\-]+)", term)
            if not match:
                raise ManifestError(
                    "not a platform name",
                    location=location,
                    text=repr(value),
                    fix="write a sys.platform value such as 'linux', 'darwin' or 'win32' "
                    "(or 'linux || darwin', '!=win32')",
                )
            terms.append(f'sys_platform {match["op"] or "=="} "{match["name"]}"')
        alternatives.append(" and ".join(terms))
    return _any_of(alternatives)


def _any_of(alternatives: Sequence[str]) -> Marker:
    """A marker true when any of the given marker texts is."""
    if len(alternatives) == 1:
        return Marker(alternatives[0])
    return Marker(" or ".join(f"({alternative})" for alternative in alternatives))


__all__ = ["poetry_platform_marker", "poetry_python_marker", "poetry_specifier"]
