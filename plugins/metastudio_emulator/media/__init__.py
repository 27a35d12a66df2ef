"""The bytes the emulator serves as media: a real, tiny MP4 as every rendered video's MAIN file, stub
bytes for the system avatars and a silent WAV for system voices and TTS auditions.

``sample.mp4`` (2,912 bytes): 10 frames of 64 x 36 at 1 frame/s (10.0 s, matching the emulated
``video_meta.duration``), MPEG-4 Part 2 video in an MP4 container, ``ftyp``, ``free``, ``mdat``, ``moov``.
Made once with ``make_sample.py`` (PyAV 18.1.0, FFmpeg's native ``mpeg4`` encoder, in a throwaway venv), whose
output's 28-byte ``ftyp`` (isom) was rewritten as a 24-byte ``ftyp mp42`` plus a 12-byte ``free`` box, so
every offset stayed put; PyAV/FFmpeg read it back as ``mov,mp4``: 10.0 s, 64x36, 10 decodable frames.
"""

from __future__ import annotations

import functools
from importlib import resources


@functools.cache
def sample_video() -> bytes:
    """The bytes of ``sample.mp4``."""
    return resources.files(__package__).joinpath("sample.mp4").read_bytes()


def fake_video(tag: str) -> bytes:
    """A few bytes that start like an MP4 file."""
    return b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + f"emulated video {tag}".encode()


def tiny_wav(tag: str) -> bytes:
    """A valid, silent 16 kHz mono WAV of 0.1 s."""
    samples = b"\x00\x00" * 1600
    header = b"RIFF" + (36 + len(samples)).to_bytes(4, "little") + b"WAVEfmt " + (16).to_bytes(4, "little")
    header += (1).to_bytes(2, "little") + (1).to_bytes(2, "little") + (16000).to_bytes(4, "little")
    header += (32000).to_bytes(4, "little") + (2).to_bytes(2, "little") + (16).to_bytes(2, "little")
    return header + b"data" + len(samples).to_bytes(4, "little") + samples
