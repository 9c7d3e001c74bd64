"""How discovery probes are written: a context, a decorator that caches and never raises, and subprocesses.

A probe is a function `(ctx: ProbeContext) -> T | None` decorated with `@probe("name")`::

    @probe("os-release")
    def os_release(ctx: ProbeContext) -> OperatingSystem | None:
        text = ctx.fs.read_text("/etc/os-release")
        if text is None:
            ctx.note("no /etc/os-release")
            return None
        return parse(text)

Rules every probe follows:

- it reads files only through `ctx.fs` (a `RootFS`), so one probe serves this machine and
  an unpacked container image alike;
- it runs programs only through `ctx.run`, which refuses unless `ctx.host` is true (nothing
  inside an image is ever executed), passes a list argv with no shell, captures the
  output, sets `LC_ALL=C` and kills the program (and anything it started) at `ctx.timeout`;
- when it cannot answer it returns None and says why with `ctx.note(reason)`; an exception
  escaping it is caught by the decorator, noted, and becomes None;
- its result is cached per probe and context (the root, host flag, environment, time limit
  and interpreter), so asking twice in one process costs nothing; the notes it made are
  replayed into the asking context.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar, cast

from thoth_cli.discovery.rootfs import RootFS

T = TypeVar("T")

DEFAULT_TIMEOUT = 5.0
"""Seconds any one program may run before it is killed (nvidia-smi can take seconds, or hang)."""

_OUTPUT_LIMIT = 4 * 1024 * 1024
"""Bytes of a program's output kept; a tool that floods us is cut short, not read to the end."""


@dataclass(frozen=True)
class ProbeNote:
    """Why a probe answered None or less than it might: printed by `thoth discover -v`."""

    probe: str
    reason: str

    def __str__(self) -> str:
        return f"{self.probe}: {self.reason}"


@dataclass(frozen=True)
class CommandResult:
    """What a program printed and how it ended."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def output(self) -> str:
        """Standard output then standard error: NVIDIA's tools print their errors on either."""
        return self.stdout + self.stderr


_current_probe: contextvars.ContextVar[str] = contextvars.ContextVar("thoth_probe", default="discover")
_current_sink: contextvars.ContextVar[list[ProbeNote] | None] = contextvars.ContextVar(
    "thoth_probe_notes", default=None
)


@dataclass(frozen=True, eq=False)
class ProbeContext:
    """Everything a probe may look at: the root, whether it is this machine, its environment.

    `host` says the root is the running machine, so its programs may run; it defaults to
    `fs.is_host`. `environ` is the machine's environment (PATH finds nvidia-smi and nvcc,
    CUDA_HOME finds a toolkit); for an image root it is the image's own, or empty.
    `python` names the interpreter to describe instead of the running one (host only).
    `notes` collects every probe's reasons, in the order they were given.
    """

    fs: RootFS
    host: bool
    environ: Mapping[str, str]
    timeout: float = DEFAULT_TIMEOUT
    python: Path | None = None
    notes: list[ProbeNote] = field(default_factory=list, compare=False, hash=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, compare=False, hash=False, repr=False)
    _answered: set[str] = field(default_factory=set, compare=False, hash=False, repr=False)

    @classmethod
    def create(
        cls,
        fs: RootFS | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        python: Path | None = None,
        host: bool | None = None,
    ) -> ProbeContext:
        """A context for `fs` (this machine when None).

        The running process's environment is used only for this machine: nothing of the
        host leaks into the description of an image.
        """
        fs = fs if fs is not None else RootFS(Path("/"))
        is_host = fs.is_host if host is None else host
        if environ is None:
            environ = dict(os.environ) if is_host else {}
        return cls(fs=fs, host=is_host, environ=dict(environ), timeout=timeout, python=python)

    @property
    def running_machine(self) -> bool:
        """Whether the root is the machine this process runs on, so its uname and interpreter describe it."""
        return self.host and self.fs.is_host

    @property
    def key(self) -> tuple[object, ...]:
        """What a probe's answer depends on: the cache key."""
        return (self.fs.root, self.host, tuple(sorted(self.environ.items())), self.timeout, self.python)

    def note(self, reason: str) -> None:
        """Record why the running probe answered None or less than it might."""
        note = ProbeNote(_current_probe.get(), reason)
        with self._lock:
            self.notes.append(note)
        sink = _current_sink.get()
        if sink is not None:
            sink.append(note)

    def replay(self, probe: str, notes: Sequence[ProbeNote]) -> None:
        """Add the notes a cached probe made, unless this context already has its answer."""
        with self._lock:
            if probe not in self._answered:
                self._answered.add(probe)
                self.notes.extend(notes)

    def answered(self, probe: str) -> None:
        """Record that `probe` ran for this context, so its cached notes are not added twice."""
        with self._lock:
            self._answered.add(probe)

    def which(self, name: str) -> str | None:
        """The program `name` on this context's PATH, or None (always None for an image root)."""
        if not self.host:
            return None
        return shutil.which(name, path=self.environ.get("PATH", os.defpath))

    def run(self, argv: Sequence[str]) -> CommandResult | None:
        """Run a program of the host; None (with a note) when not allowed, missing, or too slow.

        A program that does not end within `timeout` seconds is killed with every process it
        started, so a hung `nvidia-smi` costs at most the time limit.
        """
        command = tuple(argv)
        if not self.host:
            self.note(f"not running {command[0]}: programs of an image root are never executed")
            return None
        env = {**self.environ, "LC_ALL": "C", "LANG": "C"}
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            self.note(f"cannot run {command[0]}: {exc.strerror or exc}")
            return None
        try:
            stdout, stderr = process.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            self.note(f"{command[0]} did not finish within {self.timeout:g} s and was stopped")
            return None
        return CommandResult(
            argv=command,
            returncode=process.returncode,
            stdout=stdout[:_OUTPUT_LIMIT].decode("utf-8", errors="replace"),
            stderr=stderr[:_OUTPUT_LIMIT].decode("utf-8", errors="replace"),
        )


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    # The program runs in its own session: killing the group also stops the children a
    # wrapper script started, which would otherwise hold our pipes open.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.communicate(timeout=1.0)


class Probe(Generic[T]):
    """A cached probe function that never raises; call it with a `ProbeContext`."""

    def __init__(self, name: str, function: Callable[[ProbeContext], T | None]) -> None:
        self.name = name
        self.function = function
        functools.update_wrapper(self, function)

    def __call__(self, ctx: ProbeContext) -> T | None:
        cache_key = (self.name, ctx.key)
        with _cache_lock:
            cached = _cache.get(cache_key)
        parent = _current_sink.get()
        if cached is not None:
            value, notes = cached
            ctx.replay(self.name, notes)
            if parent is not None:
                parent.extend(notes)
            return cast("T | None", value)
        own: list[ProbeNote] = []
        name_token = _current_probe.set(self.name)
        sink_token = _current_sink.set(own)
        try:
            result = self.function(ctx)
        except Exception as exc:
            ctx.note(f"failed: {type(exc).__name__}: {exc}")
            result = None
        finally:
            _current_sink.reset(sink_token)
            _current_probe.reset(name_token)
        ctx.answered(self.name)
        if parent is not None:
            parent.extend(own)
        with _cache_lock:
            _cache[cache_key] = (result, tuple(own))
        return result


_cache: dict[tuple[str, tuple[object, ...]], tuple[object, tuple[ProbeNote, ...]]] = {}
_cache_lock = threading.Lock()


def probe(name: str) -> Callable[[Callable[[ProbeContext], T | None]], Probe[T]]:
    """Make `function` a probe called `name`: cached per context, None instead of an exception."""

    def decorate(function: Callable[[ProbeContext], T | None]) -> Probe[T]:
        return Probe(name, function)

    return decorate


def clear_cache() -> None:
    """Forget every cached probe answer (the machine changed, or a test wants a fresh look)."""
    with _cache_lock:
        _cache.clear()
