"""A real, tiny MP4 served as every rendered video's MAIN file.

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
