"""The `guyub` Typer application and the help style its commands share."""

from __future__ import annotations

import typer
from typer.core import TyperArgument, TyperCommand

app = typer.Typer(
    help="Guyub: themes and supporting quotes from the group chats of business communities.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class PlainHelp(TyperCommand):
    """Help that shows what to type (FOLDER, FILE.toml) where Typer would print Python
    types beside every parameter (<list[Path]>, <bool>): the readers are researchers."""

    def get_params(self, ctx):
        params = super().get_params(ctx)  # with --help, made only here
        for param in params:
            flag = getattr(param, "is_flag", False)
            plain = None if isinstance(param, TyperArgument) or flag else param.metavar
            param.display_type_rich = lambda ctx, plain=plain: plain
            param._get_number_range_help_str = lambda: None  # the help text says the range
        return params


def command(name: str | None = None):
    return app.command(name, cls=PlainHelp)
