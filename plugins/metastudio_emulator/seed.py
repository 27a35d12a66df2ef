"""System assets every tenant can use at once: avatars (HUMAN_MODEL_2D) and voices (VOICE_MODEL)."""

from __future__ import annotations

from .media import fake_video, tiny_wav
from .store import Store

SYSTEM_AVATARS: tuple[tuple[str, str], ...] = (
    ("Yunxi - news anchor", "FEMALE"),
    ("Haoran - presenter", "MALE"),
    ("Lina - e-commerce host", "FEMALE"),
)
SYSTEM_VOICES: tuple[tuple[str, str, str, bool], ...] = (
    ("Xiaoyan - warm female (zh-CN)", "FEMALE", "CN", True),
    ("Zhiming - calm male (zh-CN)", "MALE", "CN", True),
    ("Emma - bright female (en-US)", "FEMALE", "EN_US", False),
)


def seed_system_assets(store: Store, now: float) -> None:
    """Add the system avatars and voices, ACTIVED, each with a MAIN file."""
    for order, (name, sex, language, realtime) in enumerate(SYSTEM_VOICES, start=1):
        store.add_ready_asset(
            name, "VOICE_MODEL", now, source="SYSTEM", data=tiny_wav(name), file_name="voice.wav",
            content_type="audio/wav", description="System voice of the MetaStudio emulator",
            extra_meta={"voice_model_meta": {"order": order, "model_type": "FLEXUS", "sex": sex,
                                             "language": language, "is_realtime_voice": realtime}},
            system_properties=[{"key": "VOICE_PROVIDER", "value": "HUAWEI_METASTUDIO"}],
        )
    voices = [a.asset_id for a in store.assets.values() if a.asset_type == "VOICE_MODEL"]
    for i, (name, sex) in enumerate(SYSTEM_AVATARS):
        store.add_ready_asset(
            name, "HUMAN_MODEL_2D", now, source="SYSTEM", data=fake_video(name), file_name="model.mp4",
            content_type="video/mp4", description="System avatar of the MetaStudio emulator",
            extra_meta={"human_model_2d_meta": {"support_live": True, "model_version": "V3.2",
                                                "model_resolution": "1080P",
                                                "voice_asset_id": voices[i % len(voices)]}},
            system_properties=[{"key": "SEX", "value": sex}],
            supported_service=["VIDEO_2D", "LIVE_2D", "CHAT_2D"],
        )
