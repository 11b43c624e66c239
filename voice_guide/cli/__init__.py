"""The command line: argparse subcommands, the only place engines are chosen and errors printed."""
