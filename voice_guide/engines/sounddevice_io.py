"""Microphone and speaker through sounddevice (PortAudio). The only module that imports sounddevice.

PortAudio failures become :class:`DeviceError` with one line that says what to do: no device,
device busy, unsupported format, unplugged mid-session. Audio is resampled at this edge, so the
rest of the guide sees 16 kHz mono chunks whatever the hardware runs at.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any, Iterable, Iterator

import numpy as np

from voice_guide.audio import RATE, AudioChunk, float_to_pcm, pcm_to_float
from voice_guide.resampling import resample
from voice_guide.errors import DeviceError

_LOGGER = logging.getLogger(__name__)

FIXES = {
    -9985: "the audio device is busy (another program is using it); close that program or choose another device",
    -9986: "the audio device is busy; close the other program using it and try again",
    -9996: "no such audio device; run 'voice-guide doctor' to list devices, then pass --input-device/--output-device",
    -9997: "the audio device does not support this sample rate; choose another device with --input-device/--output-device",
    -9998: "the audio device does not support mono/stereo as asked; choose another device",
    -9999: "the audio system reported a host error; check that the device is plugged in, then restart the guide",
}
STALL_S = 3.0
"""A microphone silent (no callbacks at all) this long is taken as unplugged."""


def _sd() -> Any:
    try:
        import sounddevice
    except OSError as exc:  # the PortAudio library itself is missing
        raise DeviceError("the PortAudio library is missing; install it: 'sudo apt-get install libportaudio2'") from exc
    except ImportError as exc:
        raise DeviceError("sounddevice is not installed; run 'pip install sounddevice'") from exc
    return sounddevice


def device_error(exc: BaseException, what: str) -> DeviceError:
    """A PortAudio error as one line with a fix."""
    code = None
    if len(getattr(exc, "args", ())) > 1 and isinstance(exc.args[1], int):
        code = exc.args[1]
    text = str(exc.args[0] if getattr(exc, "args", None) else exc).strip()
    low = text.lower()
    if code in FIXES:
        fix = FIXES[code]
    elif "no default" in low or "no input" in low or "no output" in low or "device unavailable" in low:
        fix = f"no {what} device found; plug one in, or run 'voice-guide doctor'"
    elif "busy" in low:
        fix = FIXES[-9985]
    else:
        fix = "check the device and run 'voice-guide doctor'"
    return DeviceError(f"{what}: {text or type(exc).__name__}; {fix}")


def _errors(sd: Any) -> tuple[type[BaseException], ...]:
    return (getattr(sd, "PortAudioError", RuntimeError), OSError, ValueError)


def _available(kind: str, device: str | int | None = None) -> bool:
    try:
        sd = _sd()
        info = sd.query_devices(device, kind=kind)
    except DeviceError:
        return False
    except Exception:  # noqa: BLE001 - any PortAudio failure means "not available"
        return False
    key = "max_input_channels" if kind == "input" else "max_output_channels"
    return bool(info) and int(info.get(key, 0)) > 0


def device_id(value: str | None) -> str | int | None:
    """A device as a setting names it: "3" is PortAudio's index 3, anything else a name (or None: the default)."""
    return int(value) if value is not None and value.isascii() and value.isdigit() else value


def input_available(device: str | int | None = None) -> bool:
    return _available("input", device)


def output_available(device: str | int | None = None) -> bool:
    return _available("output", device)


TRIED_RATES = (RATE, 48000, 44100)
"""Rates tried, in turn, on a microphone whose own rate is below the recognizer's."""


def recording_rate(sd: Any, device: str | int | None, info: dict[str, Any]) -> int:
    """The rate to record at: the microphone's own, unless that is below 16 kHz (a Bluetooth headset in
    call mode, a telephone-quality USB adapter) and the device also takes a higher one."""
    own = own_rate(info)
    if own >= RATE:
        return own
    for rate in TRIED_RATES:
        try:
            sd.check_input_settings(device=device, channels=1, samplerate=rate, dtype="float32")
        except Exception:  # noqa: BLE001 - PortAudio refuses a rate the device cannot record at
            continue
        return rate
    return own


def own_rate(info: dict[str, Any]) -> int:
    """A device's own rate (PortAudio's default for it)."""
    return int(info.get("default_samplerate") or RATE)


def input_rates(device: str | int | None = None) -> tuple[int, int]:
    """(the microphone's own rate, the rate it would be recorded at: see ``recording_rate``); raises
    DeviceError if there is none."""
    sd = _sd()
    try:
        info = dict(sd.query_devices(device, kind="input"))
        return own_rate(info), recording_rate(sd, device, info)
    except _errors(sd) as exc:
        raise device_error(exc, "microphone") from exc


def low_rate_warning(rate: int) -> str:
    return (f"the microphone's own rate is {rate} Hz (telephone quality: a Bluetooth headset in call mode?); "
            f"recognition needs {RATE} Hz and hears it much worse: use a wired or USB microphone")


def list_devices() -> list[dict[str, Any]]:
    """Every device PortAudio knows (name, channels, default rate); raises DeviceError if it cannot."""
    sd = _sd()
    try:
        return [dict(d) for d in sd.query_devices()]
    except _errors(sd) as exc:
        raise device_error(exc, "audio devices") from exc


class MicrophoneSource:
    """An audio source over the microphone: 16 kHz mono chunks of ``chunk_ms`` while iterated."""

    def __init__(self, device: str | int | None = None, chunk_ms: int = 80) -> None:
        self.device = device
        self.chunk_ms = chunk_ms
        self._queue: queue.Queue[np.ndarray] = queue.Queue(maxsize=500)
        self._stop = threading.Event()
        self.overflows = 0

    def _callback(self, data: np.ndarray, frames: int, when: Any, status: Any) -> None:
        if status:
            self.overflows += 1
        try:
            self._queue.put_nowait(data[:, 0].copy() if data.ndim > 1 else data.copy())
        except queue.Full:
            self.overflows += 1

    def __iter__(self) -> Iterator[AudioChunk]:
        sd = _sd()
        try:
            info = sd.query_devices(self.device, kind="input")
            rate = recording_rate(sd, self.device, info)
            stream = sd.InputStream(device=self.device, channels=1, samplerate=rate, dtype="float32",
                                    blocksize=rate * self.chunk_ms // 1000, callback=self._callback)
            stream.start()
        except _errors(sd) as exc:
            raise device_error(exc, "microphone") from exc
        _LOGGER.info("microphone: %s at %d Hz", info.get("name", "default"), rate)
        own = own_rate(info)
        if own < RATE:  # opened at 16 kHz, it may still be the same sound resampled (ALSA's plug, PulseAudio)
            _LOGGER.warning("%s", low_rate_warning(own))
        step = RATE * self.chunk_ms // 1000
        pending = np.zeros(0, dtype=np.float32)
        done = 0
        try:
            while not self._stop.is_set():
                try:
                    block = self._queue.get(timeout=STALL_S)
                except queue.Empty:
                    raise DeviceError(f"microphone: no audio for {STALL_S:g} s (unplugged?); plug it back in and restart the guide")
                pending = np.concatenate([pending, resample(block.astype(np.float32), rate, RATE)])
                while pending.size >= step:
                    yield AudioChunk(float_to_pcm(pending[:step]), RATE, 1000 * done // RATE)
                    pending = pending[step:]
                    done += step
        finally:
            try:
                stream.stop()
                stream.close()
            except _errors(sd):
                pass

    def close(self) -> None:
        self._stop.set()


class SpeakerSink:
    """Plays chunks on the speaker; a stop is honoured between chunks (each about 50 ms)."""

    def __init__(self, device: str | int | None = None, rate: int | None = None) -> None:
        sd = _sd()
        try:
            info = sd.query_devices(device, kind="output")
            self.rate = int(rate or info.get("default_samplerate") or 22050)
            self._stream = sd.OutputStream(device=device, channels=1, samplerate=self.rate, dtype="float32")
            self._stream.start()
        except _errors(sd) as exc:
            raise device_error(exc, "speaker") from exc
        self._errors = _errors(sd)

    def play(self, chunks: Iterable[AudioChunk], stop: threading.Event | None = None) -> bool:
        for chunk in chunks:
            if stop is not None and stop.is_set():
                return False
            samples = pcm_to_float(chunk.audio)
            if chunk.rate != self.rate:
                samples = resample(samples, chunk.rate, self.rate)
            try:
                self._stream.write(samples.reshape(-1, 1).astype(np.float32))
            except self._errors as exc:
                raise device_error(exc, "speaker") from exc
        return True

    def close(self) -> None:
        try:
            self._stream.stop()
            self._stream.close()
        except self._errors:
            pass
