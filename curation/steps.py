"""The one step interface, modelled on datatrove's `PipelineStep` / `BaseFilter`, and the registries that list the
steps of each kind.

A step has a `name` (its registry key: the CLI choice, the page option, the name stored with its results), a
`Settings` dataclass whose defaults carry a comment saying why (the comment is the help text of the generated
settings forms), and `run(samples, context)`, which yields each sample with its findings. A step implements
`find(sample, context)` for one sample, as a datatrove filter implements `filter(doc)`. Every finding carries a
`reason` (one sentence a reviewer understands) and its `evidence` (where, and the text).

Registries: the pre-flag checks (`curation.checks.CHECKS`), the robustness detectors
(`curation.robustness.detectors.DETECTORS`) and the dedup methods (`curation.dedup.methods.DEDUP_METHODS`). A
registry imports every module of its package the first time it is read, so a new step is one new file in that
package with `@REGISTRY.register` on its class (docs/ARCHITECTURE.md has a worked example).
"""
from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar, Protocol, runtime_checkable

from .errors import UserError


@runtime_checkable
class Finding(Protocol):
    """What a step reports about a sample (a check's `Flag`, a detector's `Detection`)."""

    reason: str
    evidence: Any


class Step:
    """Base class of checks and detectors: override `find`; `run` streams samples through it."""

    name: ClassVar[str]
    Settings: ClassVar[type]

    def __init__(self, settings=None):
        self.settings = settings if settings is not None else self.Settings()

    def find(self, sample: dict, context: dict) -> list:
        """The findings on one sample (an empty list when there is nothing to report)."""
        raise NotImplementedError

    def run(self, samples: Iterable[dict], context: dict | None = None) -> Iterator[tuple[dict, list]]:
        """(sample, findings) for every sample, in order."""
        context = {} if context is None else context
        for sample in samples:
            yield sample, self.find(sample, context)

    def settings_dict(self) -> dict:
        """The settings as recorded with the step's results."""
        return dataclasses.asdict(self.settings)


class Registry(Mapping):
    """Steps of one kind by name, in registration order; a read-only mapping name -> step class.

    `package`: a package whose modules are imported on first use, so that each module's `@register` runs.
    """

    def __init__(self, kind: str, package: str | None = None):
        self.kind = kind
        self._package = package
        self._steps: dict[str, type] = {}
        self._loaded = package is None

    def register(self, cls: type) -> type:
        """Class decorator: add a step (it needs a `name` and a dataclass `Settings`)."""
        name = getattr(cls, "name", None)
        if not name or not dataclasses.is_dataclass(getattr(cls, "Settings", None)):
            raise TypeError(f"{cls.__name__}: a {self.kind} needs a `name` and a dataclass `Settings`")
        if self._steps.get(name, cls) is not cls:
            raise TypeError(f"two {self.kind}s are called {name!r}: {self._steps[name].__name__} and {cls.__name__}")
        self._steps[name] = cls
        return cls

    def _load(self) -> dict[str, type]:
        if not self._loaded:
            self._loaded = True  # first: the modules imported below read the registry too
            package = importlib.import_module(self._package)
            for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
                if not info.name.startswith("_"):
                    importlib.import_module(f"{self._package}.{info.name}")
        return self._steps

    def __getitem__(self, name: str) -> type:
        steps = self._load()
        if name not in steps:
            raise KeyError(name)
        return steps[name]

    def __iter__(self):
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def names(self) -> list[str]:
        """Every registered name, in registration order (the CLI choices and page options)."""
        return list(self._load())

    def get_step(self, name: str) -> type:
        """The step class called `name`; a clear error naming the choices otherwise."""
        if name not in self:
            raise UserError(f"unknown {self.kind} {name!r}; choose from {', '.join(self)}")
        return self[name]

    def build(self, names: Iterable[str] | None = None, settings: dict | None = None) -> list:
        """Instances by name (every step by default); `settings` maps a name to its settings object."""
        names = list(names) if names else self.names()
        unknown = [n for n in names if n not in self]
        if unknown:
            raise UserError(f"unknown {self.kind} {', '.join(unknown)}; choose from {', '.join(self)}")
        settings = settings or {}
        return [self[n](settings.get(n)) for n in names]

    def make_settings(self, name: str, **overrides):
        """The settings of step `name` with the given fields overridden (None keeps a default)."""
        cls = self.get_step(name).Settings
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = [k for k, v in overrides.items() if v is not None and k not in known]
        if unknown:
            raise UserError(f"{self.kind} {name} has no setting {', '.join(unknown)}")
        return cls(**{k: v for k, v in overrides.items() if v is not None})


_FIELD = re.compile(r"^\s+(\w+)\s*:[^#]*?(?:#\s*(.*))?$")
_COMMENT = re.compile(r"^\s+#\s?(.*)$")


def setting_help(settings_type: type) -> dict[str, str]:
    """name -> the comment of each field of a settings dataclass (after its default, or the lines above it):
    the help text of the generated settings forms, written once, in the code."""
    try:
        lines = inspect.getsource(settings_type).splitlines()
    except (OSError, TypeError):
        return {}
    out, above = {}, []
    for line in lines:
        comment = _COMMENT.match(line)
        if comment:
            above.append(comment.group(1).strip())
            continue
        m = _FIELD.match(line)
        if m and not line.strip().startswith(("def ", "@", "return")):
            text = " ".join(above + ([m.group(2).strip()] if m.group(2) else []))
            if text:
                out[m.group(1)] = text
        above = []
    names = {f.name for f in dataclasses.fields(settings_type)}
    return {k: v for k, v in out.items() if k in names}


_CHOICES = re.compile(r"^(\w[\w-]*(?: \| \w[\w-]*)+)(?:$|[ ;:,(])")


def form_fields(settings) -> list[tuple[str, Any, str, tuple[str, ...]]]:
    """(name, current value, help, choices) of the fields a settings form can show: numbers, booleans and text
    (tuples and nested settings keep their defaults; the CLI and the library accept them). A text field whose
    comment starts "a | b | c" takes one of those words."""
    helps = setting_help(type(settings))
    out = []
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if isinstance(value, (bool, int, float, str)) or (value is None and f.type in ("str | None", "Optional[str]")):
            text = helps.get(f.name, "")
            m = _CHOICES.match(text) if isinstance(value, str) else None
            choices = tuple(m.group(1).split(" | ")) if m and value in m.group(1).split(" | ") else ()
            out.append((f.name, value, text, choices))
    return out
