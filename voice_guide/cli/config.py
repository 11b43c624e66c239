"""``voice-guide config show``: the effective settings (file, then flags)."""

from __future__ import annotations

import argparse

from voice_guide.cli.common import print_json, usage
from voice_guide.settings import ENV_CONFIG, GuideSettings, load_settings


def add_config_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE",
                        help=f"settings file (YAML; default ${ENV_CONFIG}, else built-in defaults)")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    config = sub.add_parser("config", help="show the effective settings")
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION")
    show = config_sub.add_parser(
        "show", help="print the effective settings",
        description="Print the settings in force: the built-in defaults, overridden by the settings file, "
        "as YAML that can itself be saved as a settings file. See scripts/kiosk.yaml for a commented example.",
    )
    add_config_arg(show)
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.set_defaults(handler=run_show)
    config.set_defaults(handler=lambda args: usage(config))


def run_show(args: argparse.Namespace) -> int:
    settings: GuideSettings = load_settings(args.config)
    if args.json:
        print_json(settings.to_json())
        return 0
    import yaml

    print(f"# settings from: {settings.source} (this output is itself a settings file)")
    values = {k: v for k, v in settings.to_json().items() if k != "source"}
    print(yaml.safe_dump(values, sort_keys=False, default_flow_style=None, allow_unicode=True), end="")
    return 0
