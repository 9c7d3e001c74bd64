"""Which indexes a run uses: the manifest's sources, adjusted by --index-url and --extra-index-url."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

from thoth_cli.errors import ConfigError, Location
from thoth_cli.index.model import PYPI_SIMPLE, IndexSpec, redact
from thoth_cli.project.model import Source

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# Errors in a URL name where it came from: the flag, or the manifest's source.
_INDEX_URL = Location(Path("--index-url"))
_EXTRA_INDEX_URL = Location(Path("--extra-index-url"))


def _normalise_url(url: str, environ: Mapping[str, str], origin: Location) -> str:
    """Expand `${VAR}` (Pipenv and pip keep credentials out of manifests that way) and end with a
    slash: simple-API roots are folders, and a missing slash costs a redirect per page."""

    def expand(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            raise ConfigError(
                f"the index URL uses the environment variable {name}, which is not set",
                location=origin,
                text=redact(url),
                fix=f"set {name} in the environment",
            )
        return environ[name]

    expanded = _VARIABLE.sub(expand, url)
    parts = _split(expanded)
    if (
        parts is None
        or parts.scheme not in ("http", "https", "file")
        or not (parts.netloc or parts.scheme == "file")
    ):
        raise ConfigError(
            "not an index URL" + (" once its variables are expanded" if expanded != url else ""),
            location=origin,
            text=redact(expanded),
            fix="give the index's full URL, e.g. https://pypi.org/simple",
        )
    try:
        parts.port  # noqa: B018  # urlsplit checks the port only when asked for it
    except ValueError:
        raise ConfigError(
            "the index URL's port is not a number from 0 to 65535",
            location=origin,
            text=redact(expanded),
            fix="write the port as digits after the host, e.g. https://host.example:8443/simple, "
            "or leave it out",
        ) from None
    return expanded if expanded.endswith("/") else expanded + "/"


def _split(url: str) -> SplitResult | None:
    try:
        return urlsplit(url)
    except ValueError:
        # Unbalanced or malformed brackets around an IPv6 host.
        return None


def _name_for(url: str, taken: set[str]) -> str:
    host = urlsplit(url).hostname or "index"
    base = "pypi" if host in ("pypi.org", "pypi.python.org") else host
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    return name


def index_specs(
    sources: Sequence[Source],
    *,
    index_url: str | None = None,
    extra_index_urls: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
) -> tuple[IndexSpec, ...]:
    """The indexes in priority order.

    With no source anywhere, PyPI. `index_url` replaces the manifest's first (primary)
    source, as pip's `--index-url` replaces the default; extra URLs are appended.
    """
    env = os.environ if environ is None else environ
    specs = [
        IndexSpec(
            s.name,
            _normalise_url(s.url, env, s.origin or Location(Path("the manifest"), key=f"source {s.name!r}")),
            verify_ssl=s.verify_ssl,
            explicit=s.explicit,
        )
        for s in sources
    ]
    if index_url is not None:
        primary = [i for i, spec in enumerate(specs) if not spec.explicit]
        name = specs[primary[0]].name if primary else "pypi"
        replacement = IndexSpec(name, _normalise_url(index_url, env, _INDEX_URL))
        if primary:
            specs[primary[0]] = replacement
        else:
            specs.insert(0, replacement)
    if not any(not spec.explicit for spec in specs):
        specs.insert(0, IndexSpec("pypi", PYPI_SIMPLE))
    taken = {spec.name for spec in specs}
    for url in extra_index_urls:
        name = _name_for(url, taken)
        taken.add(name)
        specs.append(IndexSpec(name, _normalise_url(url, env, _EXTRA_INDEX_URL)))
    return tuple(specs)
