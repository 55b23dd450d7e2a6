"""The renderer: one handbook's template context in, one document's bytes out.

``create_renderer(options)`` is called once per process (worker processes included), then
:meth:`Renderer.render` once per handbook with the template context described on the
documentation page "template-context" and by ``lamtheoguongbac.plugin.CONTEXT_SCHEMA`` —
plain ``str``/``int``/``list``/``dict`` data in which every key is present at every stage
(empty strings and lists until filled in).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lamtheoguongbac.plugin import ExportOptions

NAME = "{{ cookiecutter.name }}"
SUFFIX = "{{ cookiecutter.suffix }}"


class Renderer:
    """Writes a handbook as Markdown; replace :meth:`render` with your format."""

    def __init__(self, options: ExportOptions) -> None:
        # options.template: the user's template file, or None for your default;
        # options.settings: the settings validate_settings accepted (see plugin.py). Load and
        # compile templates here, once, not in render().
        self.options = options
        self.heading = str(options.settings.get("heading", "Sổ tay Làm theo gương Bác"))

    def render(self, context: Mapping[str, Any]) -> bytes:
        """One document for one handbook's context."""
        member, cell, theme = context["member"], context["cell"], context["theme"]
        lines = [
            f"# {self.heading} năm {context['handbook']['year']}",
            "",
            f"**{member['full_name']}** — {cell['name']}",
            "",
            f"Chuyên đề: {theme['title'] or '—'}",
            "",
        ]
        for pledge in context["pledges"]:
            lines.append(f"{pledge['number']}. {pledge['deed']} ({pledge['target'] or '—'})")
            result = pledge["result"]
            if result["outcome"]:
                done = result["achieved"] or result["not_done"]
                lines.append(f"   - {result['outcome']}: {done}")
        collective = context["collective"]
        if collective["text"]:
            lines += [
                "",
                f"Chi bộ nhận xét: {collective['text']}",
                f"Xếp loại: {collective['rating'] or '—'}",
                "",
                collective["on_behalf"],
                collective["recorder_role_upper"],
                collective["recorder_name"],
            ]
        return ("\n".join(lines) + "\n").encode("utf-8")

    def merge(self, documents: Sequence[bytes]) -> bytes:
        """Many documents as one (``mode="merged"``)."""
        return b"\n---\n\n".join(documents)
