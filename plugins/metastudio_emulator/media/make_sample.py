"""How sample.mp4 was made (not run by the emulator): `pip install av numpy` in a throwaway venv, then run
this; the ftyp box was then rewritten as media/__init__.py says."""
# ruff: noqa
# mypy: ignore-errors
import av, fractions, io
from metastudio_provider.signing import content_md5
buf = io.BytesIO()
out = av.open(buf, "w", format="mp4")
s = out.add_stream("mpeg4", rate=1)
s.width, s.height, s.pix_fmt = 64, 36, "yuv420p"
s.time_base = fractions.Fraction(1, 1)
s.codec_context.gop_size = 10
s.bit_rate = 20000
import numpy as np
for i in range(10):
    img = np.zeros((36, 64, 3), dtype=np.uint8)
    img[:, :, 0] = 20 + i * 20; img[:, :, 2] = 120
    img[10:26, 4 + i*5: 14 + i*5, 1] = 220
    f = av.VideoFrame.from_ndarray(img, format="rgb24")
    f.pts = i
    for p in s.encode(f): out.mux(p)
for p in s.encode(): out.mux(p)
out.close()
data = buf.getvalue()
open("/tmp/sample.mp4", "wb").write(data)
print(len(data), content_md5(data))
c = av.open("/tmp/sample.mp4")
v = c.streams.video[0]
print(c.format.name, float(c.duration)/1e6 if c.duration else None, v.codec_context.name, v.width, v.height, v.frames,
      sum(1 for _ in c.decode(video=0)))
