"""Huge and odd text for ``voice-guide ask``: the normal fallback or answer, never a traceback, and
memory that does not grow with the input (a 10 MB line costs what a short question costs)."""

from __future__ import annotations

import io
import json
import os
import string
import subprocess
import sys
from pathlib import Path

import numpy as np

from voice_guide.cli.ask import MAX_LINE_BYTES, MAX_QUESTION_CHARS, read_lines

REPO = Path(__file__).resolve().parents[1]

PEAK = ("import resource, subprocess, sys\n"
        "p = subprocess.run(sys.argv[1:])\n"
        "sys.stderr.write(f'\\npeak-kb {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n')\n"
        "sys.exit(p.returncode)\n")
"""Runs the command given and reports its peak resident memory (this wrapper's only child)."""


def ask(*args: str, stdin: bytes = b"") -> tuple[int, list[dict[str, object]], str, int]:
    """(exit code, JSON objects printed, stderr without the peak line, peak RSS in kB)."""
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, "-c", PEAK, sys.executable, "-m", "voice_guide", "ask", "--json",
                           "--no-speak", *args], input=stdin, capture_output=True, env=env, cwd=REPO, timeout=120)
    err = proc.stderr.decode("utf-8", "replace")
    err, _, peak = err.rpartition("peak-kb ")
    out = [json.loads(line) for line in proc.stdout.decode().splitlines() if line.strip()]
    return proc.returncode, out, err.strip(), int(peak)


def test_a_10_mb_line_on_stdin_gets_the_fallback_in_bounded_memory() -> None:
    code, out, err, short_kb = ask(stdin=b"what is metastatic breast cancer\n")
    assert code == 0 and out[0]["section"] == "what-is-mbc", err
    huge = b"tell me about the weather " * (10_000_000 // 26)
    code, out, err, huge_kb = ask(stdin=huge + b"\nwhere does breast cancer spread\n")
    assert code == 0 and err == "" and "Traceback" not in err
    assert [o["kind"] for o in out] == ["out_of_scope", "answer"], "the next line is read as its own question"
    assert huge_kb - short_kb < 5_000, f"peak RSS {huge_kb} kB with a 10 MB line vs {short_kb} kB"


def test_a_10_mb_line_without_a_newline_or_any_word_is_still_one_reply() -> None:
    # Bytes of every value but ASCII letters, digits and newlines, the same on every run: unseeded
    # random bytes spell "112", "999" or "OD'd" about once in 120 runs, which rightly raise a safety message.
    no_words = bytes.maketrans(b"\n" + string.ascii_letters.encode() + string.digits.encode(), b"#" * 63)
    noise = np.random.default_rng(7).integers(0, 256, 10_000_000, dtype=np.uint8).tobytes()
    code, out, err, _ = ask(stdin=noise.translate(no_words))
    assert code == 0 and "Traceback" not in err
    assert len(out) == 1 and out[0]["kind"] in ("out_of_scope", "no_match") and out[0]["text"]


def test_the_largest_argument_the_os_allows_gets_the_normal_reply() -> None:
    """Linux refuses a single argument over 128 kB (E2BIG) before the program starts; so a 10 MB
    question can only come on stdin. Below that limit, arguments are cut like a stdin line."""
    code, out, err, _ = ask("where does it spread " * 6000)  # 126 kB in one argument
    assert code == 0 and err == "" and len(out) == 1 and out[0]["kind"] == "answer"
    code, out, err, _ = ask(*["whatever " * 13_000] * 12)  # 1.4 MB over twelve arguments
    assert code == 0 and err == "" and len(out) == 1 and out[0]["kind"] == "out_of_scope"


def test_control_characters_and_other_scripts_get_the_fallback_or_their_answer() -> None:
    odd = ["\x00\x01\x07\x08\x1b[31m\x7f\x9b",  # NUL, bell, backspace, ANSI escape, C1
           "Где болит? 乳がんはどこに広がりますか 哪里 ما هو سرطان الثدي النقيلي",  # Cyrillic, CJK, Arabic
           "\u202eecnatsid\u202c \u200b\u200d\ufeff \U0001f600\U0001f44d\u0301\u0301",  # bidi, zero-width, emoji, combining
           "𝐰𝐡𝐞𝐫𝐞 𝐝𝐨𝐞𝐬 𝐛𝐫𝐞𝐚𝐬𝐭 𝐜𝐚𝐧𝐜𝐞𝐫 𝐬𝐩𝐫𝐞𝐚𝐝",  # mathematical bold letters (NFKC: plain words)
           "what\tis\x0bmetastatic\x0cbreast\rcancer"]  # tab, vertical tab, form feed, carriage return
    stdin = b"\n".join(line.encode("utf-8") for line in odd) + b"\n\xff\xfe\xc3\x28 not utf-8 \x80\n"
    code, out, err, _ = ask(stdin=stdin)
    assert code == 0 and err == "", err
    kinds = [(o["kind"], o["section"]) for o in out]
    assert len(kinds) == 6, kinds
    assert kinds[3] == ("answer", "common-sites") and kinds[4] == ("answer", "what-is-mbc")
    assert all(kind in ("out_of_scope", "no_match") for kind, _ in kinds[:3] + kinds[5:]), kinds
    assert all(isinstance(o["text"], str) and o["text"] for o in out)


def test_read_lines_cuts_over_long_lines_and_decodes_leniently() -> None:
    data = b"x" * (3 * MAX_LINE_BYTES) + b"\n\n  second\r\n" + b"\xff caf\xc3\xa9\n" + b"y" * 10
    lines = list(read_lines(io.BytesIO(data)))
    assert lines == ["x" * MAX_QUESTION_CHARS, "second", "\ufffd caf\u00e9", "y" * 10]
