#!/usr/bin/env bash
# Set up voice-guide on Debian/Ubuntu, then run the main job (a short spoken demo conversation).
#   bash scripts/setup.sh            # install everything, then run the demo
#   bash scripts/setup.sh --no-demo  # install only
# System packages (espeak-ng for speech, libportaudio2 for audio devices, sox and ffmpeg for audio
# tools) come from apt when this runs as root or with sudo; otherwise it says what to install.
# The package and its Python dependencies go into .venv in the repository.
set -euo pipefail
cd "$(dirname "$0")/.."

run_demo=1
[ "${1:-}" = "--no-demo" ] && run_demo=0

need=()
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
ldconfig -p 2>/dev/null | grep -q libportaudio.so.2 || need+=(libportaudio2)
command -v sox >/dev/null 2>&1 || need+=(sox)
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need+=(python3-venv)
# Wanted for the tests and benchmarks only; if apt cannot install them, set-up goes on and the tests
# that need them are skipped:
# - flite: a second speech synthesizer with more natural voices, used only by the speech benchmark
#   (scripts/bench_speech.py --voices flite:slt,...) as voices the product never speaks with;
# - pocketsphinx-testdata: 14 short recordings of people (none about cancer), for the end-to-end
#   tests and scripts/bench_human_oos.py: the only human voices the tests hear.
want=()
command -v flite >/dev/null 2>&1 || want+=(flite)
[ -d /usr/share/pocketsphinx/test/data/librivox ] || want+=(pocketsphinx-testdata)

apt_get=()
if [ "$(id -u)" -eq 0 ]; then
  apt_get=(apt-get)
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  apt_get=(sudo apt-get)
fi
if [ ${#need[@]} -gt 0 ] || [ ${#want[@]} -gt 0 ]; then
  if [ ${#apt_get[@]} -eq 0 ]; then
    if [ ${#need[@]} -gt 0 ]; then
      echo "voice-guide setup: please install these system packages first, then run this again:" >&2
      echo "  sudo apt-get install ${need[*]} ${want[*]}" >&2
      exit 1
    fi
    echo "voice-guide setup: without root, not installing ${want[*]} (tests that need them are skipped)" >&2
  else
    "${apt_get[@]}" update -qq
    if [ ${#need[@]} -gt 0 ]; then
      echo "voice-guide setup: installing ${need[*]} with apt"
      DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq "${need[@]}" >/dev/null
    fi
    if [ ${#want[@]} -gt 0 ]; then
      echo "voice-guide setup: installing ${want[*]} with apt (tests and benchmarks)"
      DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq "${want[@]}" >/dev/null \
        || echo "voice-guide setup: could not install ${want[*]}; the tests that need them are skipped" >&2
    fi
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "voice-guide setup: creating .venv"
  python3 -m venv .venv
fi
echo "voice-guide setup: installing voice-guide and its dependencies into .venv"
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
.venv/bin/voice-guide content check >/dev/null
echo "voice-guide setup: ready (.venv/bin/voice-guide --help)"

if [ "$run_demo" -eq 1 ]; then
  echo "voice-guide setup: running the main job: voice-guide demo"
  .venv/bin/voice-guide demo
fi
