"""The exporter protocol: how a plugin turns handbooks into documents (xuất văn bản).

An exporter plugin registers an :class:`Exporter` through the ``register_exporters`` hook.
The core does everything around rendering — choosing handbooks, file names that cannot
escape their folder, atomic writes, resume, zip, worker processes, progress — and asks the
exporter only for bytes: ``create_renderer(options)`` is called once per process (so a
template is compiled once), then ``renderer.render(context)`` once per handbook with the
documented template context (:mod:`lamtheoguongbac.export._context`).

Every exporter declares the :class:`DocumentKind` it renders — the template context it
expects. The core never names an exporter: it picks, per kind, among what is registered
(:meth:`lamtheoguongbac.plugin.Registry.exporter_for`), and refuses an exporter of another
kind.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import attrs

from lamtheoguongbac._errors import LamTheoGuongBacError, PluginError, ValidationFailed

__all__ = [
    "DocumentKind",
    "ExportOptions",
    "Exporter",
    "Renderer",
    "SettingsValidator",
    "settings_validator",
]


class DocumentKind(enum.Enum):
    """The kind of document an exporter renders (loại văn bản), i.e. the template context
    it is handed.

    Example:
        >>> from lamtheoguongbac.export import DocumentKind
        >>> DocumentKind("yearbook") is DocumentKind.YEARBOOK
        True
    """

    #: One member's handbook (sổ tay), context :func:`~lamtheoguongbac.export.build_context`.
    HANDBOOK = "handbook"
    #: The yearbook of exemplars (kỷ yếu gương điển hình), context
    #: :func:`~lamtheoguongbac.export.build_yearbook_context`.
    YEARBOOK = "yearbook"
    #: The committee's summary report (báo cáo tổng hợp), context
    #: :func:`~lamtheoguongbac.export.build_report_context`.
    REPORT = "report"

    @property
    def label_vi(self) -> str:
        """The Vietnamese name of the kind."""
        return _KIND_VI[self]


_KIND_VI = {
    DocumentKind.HANDBOOK: "sổ tay",
    DocumentKind.YEARBOOK: "kỷ yếu gương điển hình",
    DocumentKind.REPORT: "báo cáo tổng hợp",
}


def document_kind(value: DocumentKind | str) -> DocumentKind:
    """``value`` as a :class:`DocumentKind` (its value, ``"handbook"``, is accepted).

    Raises:
        PluginError: not a known kind (the message lists them).
    """
    if isinstance(value, DocumentKind):
        return value
    try:
        return DocumentKind(value)
    except ValueError:
        known = ", ".join(k.value for k in DocumentKind)
        raise PluginError(
            f"loại văn bản không hợp lệ: {value!r}; các loại: {known}",
            f"invalid document kind: {value!r}; known kinds: {known}",
        ) from None


def _template_path(value: object) -> Path | None:
    """A template given as a path or its text; anything else is the caller's mistake, told
    as such (it reached the exporter and was blamed on its plugin)."""
    if value is None or isinstance(value, Path):
        return value
    if isinstance(value, os.PathLike) and not isinstance(os.fspath(value), bytes):
        return Path(os.fspath(value))  # a PurePath, an importlib.resources path …
    if isinstance(value, str) and value:
        return Path(value)
    raise ValidationFailed(
        f"template phải là đường dẫn tệp mẫu, không phải {type(value).__name__} {value!r:.40}",
        f"template must be the path of a template file, not {type(value).__name__} {value!r:.40}",
        field="template",
    )


@attrs.frozen(kw_only=True)
class ExportOptions:
    """What the user chose for an export: a template file (None: the exporter's default)
    and exporter-specific settings.

    Example:
        >>> from pathlib import Path
        >>> from lamtheoguongbac.export import ExportOptions
        >>> options = ExportOptions(
        ...     template=Path("mau-so-tay.docx"), settings={"font_size": "13"}
        ... )
        >>> options.template.name, dict(options.settings)
        ('mau-so-tay.docx', {'font_size': '13'})
    """

    template: Path | None = attrs.field(default=None, converter=_template_path)
    settings: Mapping[str, Any] = attrs.field(factory=dict)


class Renderer(Protocol):
    """Renders template contexts to document bytes; made once per process.

    Example:
        >>> from lamtheoguongbac.export import Renderer, build_context
        >>> from lamtheoguongbac.testing import make_handbook
        >>> class Markdown:
        ...     def render(self, context):
        ...         lines = [f"# {context['member']['full_name']}"]
        ...         lines += [f"- {pledge['deed']}" for pledge in context["pledges"]]
        ...         return "\\n".join(lines).encode("utf-8")
        ...
        ...     def merge(self, documents):
        ...         return b"\\n\\n".join(documents)
        ...
        >>> renderer: Renderer = Markdown()
        >>> print(renderer.render(build_context(make_handbook())).decode()[:60])
        # Trần Văn Sơn
    """

    def render(self, context: Mapping[str, Any]) -> bytes:
        """One document for one handbook's context."""

    def merge(self, documents: Sequence[bytes]) -> bytes:
        """Many rendered documents as one (for ``--merged``); may raise ``TemplateError``
        when the format cannot be merged."""


#: Checks and converts an exporter's settings: takes what the user gave (strings from
#: ``--set key=value``, any values from Python), returns the settings the renderer gets, and
#: raises :class:`~lamtheoguongbac.ValidationFailed` naming the key it refuses.
SettingsValidator = Callable[[Mapping[str, Any]], Mapping[str, Any]]


def settings_validator(**fields: Callable[[Any], Any]) -> SettingsValidator:
    """A :data:`~lamtheoguongbac.plugin.SettingsValidator` accepting exactly ``fields``, each
    converted by its function (``int``, ``float``, ``str``, a ``bool`` parser, an enum …)::

        Exporter(..., validate_settings=settings_validator(heading=str, columns=int))

    ``settings_validator()`` accepts no settings at all. A key not listed, or a value the
    function refuses (raising ``ValueError`` or ``TypeError``), is a
    :class:`~lamtheoguongbac.ValidationFailed` naming the key and the known keys. A function
    that raises :class:`~lamtheoguongbac.ValidationFailed` itself keeps its own Vietnamese
    and English reason (the field becomes ``settings.<key>``): the way to say what a value
    must be, such as a range.

    Example:
        >>> from lamtheoguongbac import ValidationFailed
        >>> from lamtheoguongbac.plugin import settings_validator
        >>> check = settings_validator(font_size=int, heading=str)
        >>> check({"font_size": "13"})
        {'font_size': 13}
        >>> try:
        ...     check({"fontsize": "13"})
        ... except ValidationFailed as error:
        ...     print(error.message("en"))
        ...
        settings.fontsize: unknown setting 'fontsize'; known settings: font_size, heading
        >>> def columns(value):
        ...     number = int(value)
        ...     if not 1 <= number <= 4:
        ...         raise ValidationFailed("từ 1 đến 4 cột", "from 1 to 4 columns")
        ...     return number
        ...
        >>> try:
        ...     settings_validator(columns=columns)({"columns": "9"})
        ... except ValidationFailed as error:
        ...     print(error.field, "-", error.message("en"))
        ...
        settings.columns - settings.columns: from 1 to 4 columns
    """

    def validate(settings: Mapping[str, Any]) -> Mapping[str, Any]:
        known = ", ".join(sorted(fields)) or "—"
        result: dict[str, Any] = {}
        for key, value in settings.items():
            convert = fields.get(key)
            if convert is None:
                raise ValidationFailed(
                    f"thiết lập lạ '{key}'; các thiết lập: {known}",
                    f"unknown setting '{key}'; known settings: {known}",
                    field=f"settings.{key}",
                )
            try:
                result[key] = convert(value)
            except ValidationFailed as exc:  # the converter's own bilingual reason
                raise ValidationFailed(
                    exc.reason_vi, exc.reason_en, field=f"settings.{key}"
                ) from exc
            except (ValueError, TypeError) as exc:
                raise ValidationFailed(
                    f"giá trị không hợp lệ {value!r}: {exc}",
                    f"invalid value {value!r}: {exc}",
                    field=f"settings.{key}",
                ) from exc
        return result

    return validate


@attrs.frozen(kw_only=True)
class Exporter:
    """An exporter's registration: a ``name`` (``"html"``), the file ``suffix`` it writes
    (``".html"``), the ``kind`` of document it renders, and the factory of its
    :class:`Renderer`.

    ``kind`` is a :class:`DocumentKind` or its value (``"handbook"``, the default, ``"yearbook"``,
    ``"report"``): the core hands the exporter only contexts of that kind.
    ``create_renderer`` must be importable by worker processes (``jobs > 1``): register the
    exporter from an installed distribution's module, a module registered directly, or a
    picklable object. ``check_template`` (optional) reports problems of a user template as
    bilingual lines. ``validate_settings`` (optional, but give one: without it a misspelt
    setting goes unnoticed) checks and converts the settings a user gives
    (:data:`~lamtheoguongbac.plugin.SettingsValidator`, most simply made by
    :func:`~lamtheoguongbac.plugin.settings_validator`).

    Example:
        >>> from lamtheoguongbac import hookimpl
        >>> from lamtheoguongbac.export import Exporter, build_context
        >>> from lamtheoguongbac.plugin import create_registry, settings_validator
        >>> from lamtheoguongbac.testing import make_handbook
        >>> class TextRenderer:
        ...     def __init__(self, options):
        ...         self.options = options
        ...
        ...     def render(self, context):
        ...         return context["member"]["full_name"].encode("utf-8")
        ...
        ...     def merge(self, documents):
        ...         return b"\\n".join(documents)
        ...
        >>> class TextExporter:
        ...     @hookimpl
        ...     def register_exporters(self, register):
        ...         register(
        ...             Exporter(
        ...                 name="txt",
        ...                 suffix=".txt",
        ...                 kind="handbook",
        ...                 create_renderer=TextRenderer,
        ...                 validate_settings=settings_validator(),
        ...             )
        ...         )
        ...
        >>> registry = create_registry(load_entrypoints=False, extra_plugins=[TextExporter()])
        >>> exporter = registry.exporter_for("handbook")
        >>> exporter.name, exporter.kind.value
        ('txt', 'handbook')
        >>> renderer = exporter.create_renderer(exporter.configure(None))
        >>> renderer.render(build_context(make_handbook())).decode()
        'Trần Văn Sơn'
    """

    name: str
    suffix: str
    create_renderer: Callable[[ExportOptions], Renderer] = attrs.field(eq=False)
    kind: DocumentKind = attrs.field(default=DocumentKind.HANDBOOK, converter=document_kind)
    description_vi: str = ""
    description_en: str = ""
    check_template: Callable[[Path], list[str]] | None = attrs.field(default=None, eq=False)
    validate_settings: SettingsValidator | None = attrs.field(default=None, eq=False)

    def configure(
        self, options: ExportOptions | None, *, plugin: str | None = None
    ) -> ExportOptions:
        """``options`` with its settings checked and converted by :attr:`validate_settings`
        (an exporter without one gets the settings as they are).

        ``plugin`` (the name of the plugin providing the exporter) is named in the error
        when the validator itself fails.

        Raises:
            ValidationFailed: the exporter refuses a setting.
            PluginError: the validator raised something else than the library's errors, or
                did not return a mapping (the exporter and ``plugin`` are named).
        """
        options = ExportOptions() if options is None else options
        if self.validate_settings is None:
            return options
        who = PluginCode(self.name, plugin)
        try:
            settings = self.validate_settings(dict(options.settings))
        except LamTheoGuongBacError:
            raise
        except Exception as exc:
            raise who.failed("kiểm tra thiết lập", "checking the settings", exc) from exc
        if not isinstance(settings, Mapping):
            raise who.returned("validate_settings", "a mapping of settings", settings)
        return attrs.evolve(options, settings=dict(settings))

    def require_kind(self, kind: DocumentKind | str) -> None:
        """Refuse this exporter for documents of another ``kind``.

        Raises:
            PluginError: the exporter renders another kind (both are named).
        """
        wanted = document_kind(kind)
        if self.kind is not wanted:
            raise PluginError(
                f"bộ xuất '{self.name}' làm {self.kind.label_vi} ({self.kind.value}), không làm "
                f"{wanted.label_vi} ({wanted.value}); chọn bộ xuất loại {wanted.value}",
                f"the exporter '{self.name}' renders a {self.kind.value}, not a {wanted.value}; "
                f"choose an exporter of kind {wanted.value}",
            )


@attrs.frozen
class PluginCode:
    """An exporter's code as the library calls it (mã của plugin): the errors that blame the
    exporter and its plugin, not the library, when that code raises or returns the wrong
    type (a third party's renderer is not the library's bug).

    Example:
        >>> from lamtheoguongbac.export._base import PluginCode
        >>> error = PluginCode("html", "my-plugin").failed("render", "rendering", KeyError("x"))
        >>> print(error.message("en"))
        the exporter 'html' (plugin my-plugin) failed while rendering: KeyError('x')
    """

    exporter: str
    plugin: str | None = None

    def _names(self) -> tuple[str, str]:
        if self.plugin is None:
            return f"bộ xuất '{self.exporter}'", f"the exporter '{self.exporter}'"
        return (
            f"bộ xuất '{self.exporter}' (plugin {self.plugin})",
            f"the exporter '{self.exporter}' (plugin {self.plugin})",
        )

    def failed(
        self, doing_vi: str, doing_en: str, exc: BaseException, item: str = ""
    ) -> PluginError:
        """The error for ``exc`` raised by the plugin's code while ``doing``."""
        vi, en = self._names()
        on = f" ({item})" if item else ""
        return PluginError(
            f"{vi} bị lỗi khi {doing_vi}{on}: {exc!r}; đây là lỗi của plugin, hãy báo cho "
            "người viết plugin",
            f"{en} failed while {doing_en}{on}: {exc!r}",
        )

    def returned(self, call: str, wanted: str, got: object, item: str = "") -> PluginError:
        """The error for ``call`` returning ``got`` where the library needs ``wanted``."""
        vi, en = self._names()
        on = f" ({item})" if item else ""
        kind = type(got).__name__
        return PluginError(
            f"{vi}: {call}{on} trả về {kind}, không phải {wanted}; đây là lỗi của plugin",
            f"{en}: {call}{on} returned {kind}, not {wanted}; this is the plugin's bug",
        )


@attrs.frozen
class GuardedRenderer:
    """A plugin's renderer whose failures name the exporter and its plugin: anything it
    raises other than the library's own errors (``TemplateError`` …) becomes a
    :class:`~lamtheoguongbac.PluginError`, and so does a result that is not bytes."""

    renderer: Renderer
    who: PluginCode

    def render(self, context: Mapping[str, Any]) -> bytes:
        item = _item(context)
        try:
            data = self.renderer.render(context)
        except LamTheoGuongBacError:
            raise
        except Exception as exc:
            raise self.who.failed("dựng văn bản", "rendering", exc, item) from exc
        return self._bytes("render", data, item)

    def merge(self, documents: Sequence[bytes]) -> bytes:
        try:
            data = self.renderer.merge(documents)
        except LamTheoGuongBacError:
            raise
        except Exception as exc:
            raise self.who.failed("gộp văn bản", "merging", exc) from exc
        return self._bytes("merge", data, "")

    def _bytes(self, call: str, data: object, item: str) -> bytes:
        if isinstance(data, bytes):
            return data
        if isinstance(data, bytearray | memoryview):
            return bytes(data)
        raise self.who.returned(call, "bytes", data, item)


def _item(context: Mapping[str, Any]) -> str:
    """The handbook (or document) a context is of, for an error message."""
    handbook = context.get("handbook") if isinstance(context, Mapping) else None
    if isinstance(handbook, Mapping) and isinstance(handbook.get("id"), str):
        return str(handbook["id"])
    return ""


def guarded_renderer(
    factory: Callable[[ExportOptions], Renderer], options: ExportOptions, who: PluginCode
) -> GuardedRenderer:
    """``factory(options)`` as a :class:`GuardedRenderer`; a failing factory, or one that
    makes no renderer, is the plugin's :class:`~lamtheoguongbac.PluginError`."""
    try:
        renderer = factory(options)
    except LamTheoGuongBacError:
        raise
    except Exception as exc:
        raise who.failed("tạo bộ dựng", "creating its renderer", exc) from exc
    if not callable(getattr(renderer, "render", None)):
        raise who.returned("create_renderer", "a renderer (with render and merge)", renderer)
    return GuardedRenderer(renderer, who)
