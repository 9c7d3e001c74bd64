"""Index credentials: from a URL's userinfo or a netrc file, sent as HTTP Basic auth, never shown."""

from __future__ import annotations

import base64
import netrc
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from thoth_cli.errors import ConfigError, Location

_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Credentials:
    """A user name and password; the password stays out of `repr` so it cannot reach a log."""

    username: str
    password: str = field(repr=False)

    def authorization(self) -> str:
        """The `Authorization` header value for HTTP Basic auth."""
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")
        return f"Basic {token}"


def split_userinfo(url: str) -> tuple[str, Credentials | None]:
    """The URL without its userinfo, and the credentials the userinfo held (percent-decoded).

    The host and port stay as written, IPv6 brackets included: removing credentials must not
    depend on the port being a number, since error messages about a bad port show the URL too.
    ValueError only for what `urlsplit` refuses (unbalanced IPv6 brackets).
    """
    parts = urlsplit(url)
    userinfo, at, host = parts.netloc.rpartition("@")
    if not at:
        return url, None
    username, _, password = userinfo.partition(":")
    bare = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return bare, Credentials(unquote(username), unquote(password))


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port: credentials given for one URL apply to every URL of its origin.

    ValueError when the port is not a number from 0 to 65535.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(scheme)


def default_netrc_path(environ: Mapping[str, str] | None = None) -> Path:
    """NETRC when set (as curl and pip read it), else ~/.netrc."""
    env = os.environ if environ is None else environ
    value = env.get("NETRC")
    if value:
        return Path(value).expanduser()
    return Path("~/.netrc").expanduser()


class CredentialStore:
    """Finds the credentials for a URL; thread-safe.

    Userinfo in a URL wins and is remembered for the URL's origin, so files an index lists
    by absolute URL on the same host get the same credentials. Otherwise the netrc file's
    entry for the host (or its `default` entry) applies.
    """

    def __init__(self, netrc_path: Path | None = None, *, environ: Mapping[str, str] | None = None) -> None:
        self._netrc_path = netrc_path if netrc_path is not None else default_netrc_path(environ)
        self._netrc: netrc.netrc | None = None
        self._netrc_loaded = False
        self._netrc_error: ConfigError | None = None
        self._by_origin: dict[tuple[str, str, int | None], Credentials] = {}
        self._lock = threading.Lock()

    def resolve(self, url: str) -> tuple[str, Credentials | None]:
        """The URL to request (userinfo removed) and the credentials to send with it, if any."""
        bare, given = split_userinfo(url)
        key = origin(bare)
        with self._lock:
            if given is not None:
                if not given.password:
                    given = self._fill_password(given, key[1])
                self._by_origin[key] = given
                return bare, given
            remembered = self._by_origin.get(key)
            if remembered is not None:
                return bare, remembered
            return bare, self._from_netrc(key[1])

    def _fill_password(self, given: Credentials, host: str) -> Credentials:
        # A URL may name only the user (`https://alice@host/`); netrc may hold her password.
        found = self._from_netrc(host)
        if found is not None and found.username == given.username:
            return found
        return given

    def _from_netrc(self, host: str) -> Credentials | None:
        data = self._load_netrc()
        if data is None or not host:
            return None
        entry = data.authenticators(host)
        if entry is None:
            return None
        login, _account, password = entry
        if not login and not password:
            return None
        return Credentials(login, password or "")

    def _load_netrc(self) -> netrc.netrc | None:
        # A broken file fails every lookup, not just the first: later requests must not go out
        # without the credentials it was meant to give.
        if self._netrc_error is not None:
            raise self._netrc_error.with_traceback(None)
        if self._netrc_loaded:
            return self._netrc
        path = self._netrc_path
        if path.is_file():
            try:
                self._netrc = netrc.netrc(str(path))
            except netrc.NetrcParseError as exc:
                # The parser's message quotes the offending token, which may be a password.
                self._netrc_error = ConfigError(
                    "not a valid netrc file",
                    location=Location(path, line=exc.lineno),
                    fix="each entry reads `machine HOST login USER password PASSWORD`; correct the line, "
                    "or point NETRC at another file",
                )
            except OSError as exc:
                self._netrc_error = ConfigError(
                    f"cannot read the netrc file ({exc.strerror})",
                    location=Location(path),
                    fix="make the file readable, or point NETRC at another file",
                )
            if self._netrc_error is not None:
                raise self._netrc_error
        self._netrc_loaded = True
        return self._netrc
