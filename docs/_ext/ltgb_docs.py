"""Local Sphinx extension: the command-line reference, generated from the click commands,
and a check that the API reference documents every public name.

A page containing the line ``<!-- cli-reference -->`` gets, in its place, one section per
command of ``lamtheoguongbac`` (and per command an installed plugin adds through the
``register_commands`` hook): usage, help, arguments and options with their types, defaults
and help. Generated at build time, the reference cannot miss a command or an option.
"""

from __future__ import annotations

from typing import Any

import click

MARKER = "<!-- cli-reference -->"
PROG = "lamtheoguongbac"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _value(param: click.Parameter) -> str:
    if isinstance(param, click.Option) and param.is_flag:
        return "flag"
    kind = param.type
    if isinstance(kind, click.Choice):
        return " \\| ".join(f"`{c}`" for c in kind.choices)
    if isinstance(kind, click.Path):
        return "file" if not kind.dir_okay else ("folder" if not kind.file_okay else "path")
    name = {"integer": "number", "text": "text"}.get(kind.name, kind.name)
    return name + (" …" if param.nargs == -1 else "")


def _default(param: click.Parameter) -> str:
    if param.required:
        return "required"
    default = param.default
    if isinstance(param, click.Option) and param.envvar:
        shown = f"`${param.envvar}`, else " if isinstance(param.envvar, str) else ""
    else:
        shown = ""
    # click >= 8.3 marks "no default" with a sentinel; older releases use None.
    unset = default is None or type(default).__name__ == "Sentinel"
    if unset or default is False or default == () or callable(default):
        return shown.removesuffix(", else ").strip()
    return f"{shown}`{default}`"


def _names(param: click.Parameter) -> str:
    if isinstance(param, click.Argument):
        return f"`{param.human_readable_name.upper()}`"
    return ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])


def _usage(path: list[str], command: click.Command) -> str:
    ctx = click.Context(command, info_name=" ".join(path))
    pieces = command.collect_usage_pieces(ctx)
    return " ".join([*path, *pieces])


def _params_table(command: click.Command) -> list[str]:
    params = list(command.params)
    if not params:
        return []
    lines = ["| argument / option | value | default | description |", "|---|---|---|---|"]
    for p in params:
        help_text = getattr(p, "help", None) or ""
        lines.append(f"| {_names(p)} | {_value(p)} | {_default(p)} | {_cell(help_text)} |")
    return ["", *lines]


def _section(path: list[str], command: click.Command, level: int, origin: str | None) -> list[str]:
    title = " ".join(path[1:]) or PROG
    lines = ["", f"{'#' * level} `{title}`", ""]
    if origin:
        lines += [f"*Added by the plugin `{origin}`.*", ""]
    help_text = (command.help or "").split("\f")[0].strip()
    if help_text:
        lines += [help_text, ""]
    lines += ["```text", _usage(path, command), "```"]
    lines += _params_table(command)
    if isinstance(command, click.Group):  # the root loads its commands on first use
        ctx = click.Context(command)
        for name in sorted(command.list_commands(ctx)):
            sub = command.get_command(ctx, name)
            if sub is not None:
                lines += _section([*path, name], sub, level + 1, origin)
    return lines


def _plugin_commands() -> list[tuple[str, click.Command]]:
    """Commands installed plugins add, each with the plugin's name."""
    from lamtheoguongbac.plugin import create_registry

    registry = create_registry()
    found = []
    for impl in registry.pm.hook.register_commands.get_hookimpls():
        group = click.Group()
        try:
            impl.function(cli=group)
        except Exception:  # a broken plugin is the plugins command's business, not the docs'
            continue
        found += [(impl.plugin_name, group.commands[n]) for n in sorted(group.commands)]
    return found


def cli_reference(level: int = 2) -> str:
    """The Markdown reference of every command, option and argument."""
    from lamtheoguongbac.cli import cli

    lines = _section([PROG], cli, level, None)
    for origin, command in _plugin_commands():
        if command.name not in cli.list_commands(click.Context(cli)):
            lines += _section([PROG, command.name or ""], command, level + 1, origin)
    return "\n".join(lines) + "\n"


def _expand(app: Any, docname: str, source: list[str]) -> None:
    if MARKER in source[0]:
        source[0] = source[0].replace(MARKER, cli_reference())


def _check_reference(app: Any, env: Any) -> None:
    """Warn (an error under ``-W``) for each public name of a public namespace with no entry
    in the reference."""
    import importlib

    from sphinx.util import logging

    from lamtheoguongbac._public import PUBLIC_NAMESPACES

    logger = logging.getLogger(__name__)
    documented = set(env.get_domain("py").objects)
    # An alias entry (``py:data`` with ``:no-index:``) is not indexed: read the pages too.
    pages = "\n".join(
        path.read_text(encoding="utf-8") for path in (app.srcdir / "api").glob("*.md")
    )
    for namespace in PUBLIC_NAMESPACES:
        module = importlib.import_module(namespace)
        for name in module.__all__:
            full = f"{namespace}.{name}"
            if full not in documented and f":: {full}\n" not in pages:
                logger.warning("the API reference has no entry for %s", full)


def _hide_private_modules(app: Any, doctree: Any) -> None:
    """Show a class documented from a private module (the facets of ``Handbooks``, reached
    as ``handbooks.roster`` …) without its module path: users never import it from there."""
    from sphinx import addnodes

    for signature in doctree.findall(addnodes.desc_signature):
        module = signature.get("module") or ""
        if any(part.startswith("_") for part in module.split(".")):
            for prefix in list(signature.findall(addnodes.desc_addname)):
                prefix.parent.remove(prefix)


def setup(app: Any) -> dict[str, Any]:
    app.connect("source-read", _expand)
    app.connect("doctree-read", _hide_private_modules)
    app.connect("env-check-consistency", _check_reference)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
