"""The device edge with a fake sounddevice module: errors become one line with a fix, audio is resampled."""

from __future__ import annotations

import sys
import threading
import types
from typing import Any

import numpy as np
import pytest

from tests.fakes import chunked, tone
from voice_guide.errors import DeviceError


class PortAudioError(Exception):
    pass


def fake_sounddevice(devices: list[dict[str, Any]], fail: BaseException | None = None, blocks: int = 5,
                     rates: tuple[int, ...] | None = None) -> types.ModuleType:
    """``rates``: the rates the microphone records at (None: any)."""
    sd = types.ModuleType("sounddevice")
    written: list[np.ndarray] = []
    opened: list[int] = []

    def check_input_settings(samplerate: int, **_: Any) -> None:
        if rates is not None and samplerate not in rates:
            raise PortAudioError("Invalid sample rate", -9997)

    def query_devices(device: Any = None, kind: str | None = None) -> Any:
        if fail is not None:
            raise fail
        if kind is None:
            return devices
        key = "max_input_channels" if kind == "input" else "max_output_channels"
        found = [d for d in devices if d[key] > 0]
        if not found:
            raise PortAudioError(f"No {kind} device found", -9996)
        return found[0]

    class InputStream:
        def __init__(self, callback: Any, samplerate: int, blocksize: int, **_: Any) -> None:
            self.callback, self.rate, self.blocksize = callback, samplerate, blocksize
            opened.append(samplerate)

        def start(self) -> None:
            def feed() -> None:
                for _ in range(blocks):
                    t = np.arange(self.blocksize) / self.rate
                    self.callback((0.1 * np.sin(2 * np.pi * 440 * t)).astype(np.float32).reshape(-1, 1), self.blocksize, None, None)
            threading.Thread(target=feed, daemon=True).start()

        def stop(self) -> None: ...

        def close(self) -> None: ...

    class OutputStream:
        def __init__(self, samplerate: int, **_: Any) -> None:
            self.rate = samplerate

        def start(self) -> None: ...

        def write(self, data: np.ndarray) -> None:
            written.append(data)

        def stop(self) -> None: ...

        def close(self) -> None: ...

    sd.query_devices = query_devices  # type: ignore[attr-defined]
    sd.InputStream = InputStream  # type: ignore[attr-defined]
    sd.OutputStream = OutputStream  # type: ignore[attr-defined]
    sd.PortAudioError = PortAudioError  # type: ignore[attr-defined]
    sd.written = written  # type: ignore[attr-defined]
    sd.opened = opened  # type: ignore[attr-defined]
    sd.check_input_settings = check_input_settings  # type: ignore[attr-defined]
    return sd


MIC = {"name": "USB mic", "max_input_channels": 1, "max_output_channels": 0, "default_samplerate": 48000.0}
SPEAKER = {"name": "Speaker", "max_input_channels": 0, "max_output_channels": 2, "default_samplerate": 44100.0}


@pytest.fixture()
def io(monkeypatch: pytest.MonkeyPatch) -> Any:
    def install(sd: types.ModuleType) -> Any:
        monkeypatch.setitem(sys.modules, "sounddevice", sd)
        from voice_guide.engines import sounddevice_io

        return sounddevice_io

    return install


def test_availability_reflects_the_devices(io: Any) -> None:
    mod = io(fake_sounddevice([MIC]))
    assert mod.input_available() and not mod.output_available()
    mod = io(fake_sounddevice([], fail=PortAudioError("Error querying device", -9999)))
    assert not mod.input_available() and not mod.output_available()


def test_no_speaker_is_one_line_with_a_fix(io: Any) -> None:
    mod = io(fake_sounddevice([MIC]))
    with pytest.raises(DeviceError) as err:
        mod.SpeakerSink()
    message = str(err.value)
    assert "\n" not in message and "speaker" in message and "voice-guide doctor" in message


@pytest.mark.parametrize("code, words", [(-9985, "busy"), (-9997, "sample rate"), (-9996, "no such audio device")])
def test_port_audio_codes_say_what_to_do(io: Any, code: int, words: str) -> None:
    mod = io(fake_sounddevice([MIC, SPEAKER]))
    error = mod.device_error(PortAudioError("Unanticipated", code), "microphone")
    assert words in str(error) and str(error).startswith("microphone:")


def test_missing_portaudio_library_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", None)
    from voice_guide.engines import sounddevice_io

    with pytest.raises(DeviceError, match="pip install sounddevice|libportaudio2"):
        sounddevice_io.SpeakerSink()


def test_microphone_chunks_are_16_khz_mono(io: Any) -> None:
    mod = io(fake_sounddevice([MIC], blocks=5))
    mic = mod.MicrophoneSource(chunk_ms=80)
    chunks = []
    for chunk in mic:
        chunks.append(chunk)
        if len(chunks) == 5:
            mic.close()
            break
    assert all(c.rate == 16000 and c.samples == 1280 for c in chunks)
    assert [c.timestamp_ms for c in chunks] == [0, 80, 160, 240, 320]


BLUETOOTH = {"name": "Headset (call mode)", "max_input_channels": 1, "max_output_channels": 0, "default_samplerate": 8000.0}


def _first_chunks(mic: Any, count: int = 3) -> list[Any]:
    chunks = []
    for chunk in mic:
        chunks.append(chunk)
        if len(chunks) == count:
            mic.close()
            break
    return chunks


def test_a_microphone_whose_own_rate_is_telephone_quality_records_at_16_khz_when_it_can_and_still_warns(
        io: Any, caplog: pytest.LogCaptureFixture) -> None:
    """Asked for 16 kHz, ALSA's plug device or PulseAudio says yes and resamples the same 8 kHz sound:
    the warning goes by the device's own rate."""
    sd = fake_sounddevice([BLUETOOTH], rates=(8000, 16000))
    mod = io(sd)
    assert mod.input_rates() == (8000, 16000)
    assert all(c.rate == 16000 for c in _first_chunks(mod.MicrophoneSource()))
    assert sd.opened == [16000]
    assert any("own rate is 8000 Hz" in r.getMessage() for r in caplog.records)


def test_a_microphone_that_only_records_at_8_khz_is_used_with_a_warning(io: Any, caplog: pytest.LogCaptureFixture) -> None:
    sd = fake_sounddevice([BLUETOOTH], rates=(8000,))
    mod = io(sd)
    assert mod.input_rates() == (8000, 8000)
    assert len(_first_chunks(mod.MicrophoneSource())) == 3 and sd.opened == [8000]
    assert any("8000 Hz" in r.getMessage() and "wired or USB microphone" in r.getMessage() for r in caplog.records)


def test_a_microphone_at_its_own_rate_is_not_asked_for_another(io: Any) -> None:
    sd = fake_sounddevice([MIC], rates=(16000, 48000))  # 16 kHz would be taken if it were asked for
    mod = io(sd)
    assert mod.input_rates() == (48000, 48000)
    _first_chunks(mod.MicrophoneSource())
    assert sd.opened == [48000]


def test_doctor_names_the_microphones_rate_and_fails_one_at_telephone_quality(io: Any) -> None:
    from voice_guide.cli import doctor

    io(fake_sounddevice([MIC, SPEAKER]))
    assert "records at 48 kHz" in doctor._devices("input")
    io(fake_sounddevice([BLUETOOTH, SPEAKER]))  # a plug device: takes any rate, resampling
    with pytest.raises(OSError, match="own rate is 8000 Hz"):
        doctor._devices("input")


def test_a_microphone_that_stops_delivering_audio_is_an_error(io: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    mod = io(fake_sounddevice([MIC], blocks=1))
    monkeypatch.setattr(mod, "STALL_S", 0.2)
    with pytest.raises(DeviceError, match="unplugged"):
        list(mod.MicrophoneSource())


def test_speaker_resamples_and_honours_stop(io: Any) -> None:
    sd = fake_sounddevice([SPEAKER])
    mod = io(sd)
    sink = mod.SpeakerSink()
    assert sink.play(chunked(tone(160), chunk_ms=80))
    assert sum(len(w) for w in sd.written) == pytest.approx(44100 * 0.16, abs=4)
    stop = threading.Event()
    stop.set()
    assert sink.play(chunked(tone(160)), stop) is False
    sink.close()
