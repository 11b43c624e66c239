"""``voice-guide model``: fetch the vosk English model for users with internet; show which model is used.

The only command that touches the network, and only when asked. The archive is checked against a
pinned SHA-256 and size, unpacked safely into ``models/`` (the checkout's), and its structure checked.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from voice_guide.errors import ModelError
from voice_guide.output_file import writable_folder

NAME = "vosk-model-small-en-us-0.15"
URL = f"https://alphacephei.com/vosk/models/{NAME}.zip"
SHA256 = "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498"
"""Not published upstream; the same digest (and size) is reported by several independent projects."""
SIZE = 41_205_931
REQUIRED = ("am/final.mdl", "conf/model.conf", "conf/mfcc.conf", "graph")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    model = sub.add_parser("model", help="download or locate the vosk speech model",
                           description="Manage the vosk English model. Nothing here runs unless you ask for it.")
    actions = model.add_subparsers(dest="action", metavar="ACTION")
    download = actions.add_parser("download", help=f"download {NAME} (40 MB) into the checkout's models/, verify and unpack it")
    download.add_argument("--dir", help="where to unpack (default: the checkout's models/ folder, where 'listen' "
                          "finds it from any working folder; for an installed package, ./models)")
    download.add_argument("--force", action="store_true", help="replace a model that is already there")
    download.set_defaults(handler=run_download)
    where = actions.add_parser("where", help="show which vosk model 'listen' would use")
    where.add_argument("--model", help="a model folder to check")
    where.set_defaults(handler=run_where)
    model.set_defaults(handler=lambda args: (model.print_help(), 2)[1])


def check_structure(folder: Path) -> None:
    missing = [part for part in REQUIRED if not (folder / part).exists()]
    if missing:
        raise ModelError(f"{folder} is missing {', '.join(missing)}; the download is incomplete, run it again with --force")


def unpack(archive: Path, dest: Path) -> Path:
    """Unpack ``archive`` into ``dest`` (no paths outside it); returns the model folder."""
    with zipfile.ZipFile(archive) as zf:
        root = dest.resolve()
        for member in zf.namelist():
            target = (dest / member).resolve()
            if root != target and root not in target.parents:
                raise ModelError(f"{archive.name} has an unsafe path '{member}'; not unpacking it")
        zf.extractall(dest)
    folder = dest / NAME
    check_structure(folder)
    return folder


def run_download(args: argparse.Namespace) -> int:
    from voice_guide.engines.vosk_asr import checkout_models

    dest = Path(args.dir) if args.dir else checkout_models() or Path("models")
    target = dest / NAME
    if target.exists() and not args.force:
        check_structure(target)
        print(f"{target} is already installed (use --force to download it again)")
        return 0
    writable_folder(dest)  # before any network access
    with tempfile.TemporaryDirectory(prefix="voice-guide-model-", dir=dest) as tmp:
        archive = Path(tmp) / f"{NAME}.zip"
        print(f"downloading {URL} ...", file=sys.stderr)
        digest = hashlib.sha256()
        try:
            with urllib.request.urlopen(URL, timeout=60) as response, open(archive, "wb") as out:
                while block := response.read(1 << 16):
                    digest.update(block)
                    out.write(block)
        except (urllib.error.URLError, OSError) as exc:
            raise ModelError(f"could not download {URL} ({exc}); check the internet connection, "
                             f"or download it by hand and unzip it into {dest}/") from exc
        size = archive.stat().st_size
        if digest.hexdigest() != SHA256 or size != SIZE:
            raise ModelError(f"the download does not match the expected model (sha256 {digest.hexdigest()[:12]}..., "
                             f"{size} bytes); try again later")
        staged = Path(tmp) / "unpacked"
        folder = unpack(archive, staged)
        if target.exists():
            shutil.rmtree(target)
        shutil.move(str(folder), str(target))
    print(f"installed {target}; 'voice-guide listen' will now use vosk")
    return 0


def run_where(args: argparse.Namespace) -> int:
    from voice_guide.engines.vosk_asr import ENV_MODEL, find_model, model_places

    found = find_model(args.model)
    if found is None:
        print(f"no vosk model installed (--model, ${ENV_MODEL} or {model_places()}); 'listen' uses pocketsphinx. "
              "Run 'voice-guide model download' to get one.")
        return 1
    print(found)
    return 0
