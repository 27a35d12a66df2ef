"""Input checks made before any create (metastudio_provider.checks)."""

from __future__ import annotations

import pytest

from metastudio_provider.checks.names import check_name
from metastudio_provider.checks.paths import resolve_under
from metastudio_provider.checks.problems import InvalidInputError
from metastudio_provider.checks.scripts import check_script_text
from metastudio_provider.checks.uploads import check_upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16


@pytest.mark.parametrize(
    ("value", "message"),
    [("  ", "empty"), ("a\nb", "control character"), ("a\x00b", "control character"), ("a/b", "slashes"),
     ("a\\b", "slashes"), ("x" * 257, "at most 256")],
)
def test_bad_names_name_the_field(value, message):
    with pytest.raises(InvalidInputError, match=message) as err:
        check_name(value, "output_name")
    assert "output_name" in str(err.value)


def test_good_name_is_stripped():
    assert check_name("  my video 1 ", "output_name") == "my video 1"


def test_script_text_limits():
    assert check_script_text("Hello") == "Hello"
    with pytest.raises(InvalidInputError, match="script_text is empty"):
        check_script_text("   ")
    with pytest.raises(InvalidInputError, match="at most 10000"):
        check_script_text("a" * 10_001)
    check_script_text("<speak>" + "a" * 10_000 + "</speak>")  # SSML tags are not counted


@pytest.mark.parametrize(
    ("file_name", "content", "asset_type", "message"),
    [("bg", PNG, "IMAGE", "no suffix"), ("bg.png", b"", "IMAGE", "empty"), ("bg.gif", PNG, "IMAGE", "not accepted"),
     ("bg.png", b"GIF89a....", "IMAGE", "not a PNG or JPEG"), ("bg.png", JPEG, "IMAGE", "JPEG image but named .png"),
     ("clip.png", PNG, "VIDEO", "not accepted"), ("me.mp4", b"x", "HUMAN_MODEL_2D", "cannot be uploaded"),
     ("a/b.png", PNG, "IMAGE", "slashes")],
)
def test_bad_uploads(file_name, content, asset_type, message):
    with pytest.raises(InvalidInputError, match=message):
        check_upload(file_name, content, asset_type)


def test_good_uploads():
    check_upload("bg.png", PNG, "IMAGE")
    check_upload("bg.JPG", JPEG, "image")
    check_upload("clip.mp4", b"\x00\x00\x00\x18ftyp", "VIDEO")
    check_upload("notes.txt", b"x", "COMMON_FILE")


def test_resolve_under(tmp_path):
    root = tmp_path / "include"
    (root / "img").mkdir(parents=True)
    (root / "img" / "bg.png").write_bytes(PNG)
    (tmp_path / "secret.png").write_bytes(PNG)
    (root / "link.png").symlink_to(tmp_path / "secret.png")
    assert resolve_under("img/bg.png", root, "background_image") == (root / "img" / "bg.png").resolve()
    assert resolve_under(str(root / "img" / "bg.png"), root, "background_image").name == "bg.png"
    for bad, message in [("../secret.png", "outside"), (str(tmp_path / "secret.png"), "outside"),
                         ("link.png", "outside"), ("img/none.png", "no such file"), ("img", "no such file"),
                         ("", "empty")]:
        with pytest.raises(InvalidInputError, match=message) as err:
            resolve_under(bad, root, "background_image")
        assert "background_image" in str(err.value)
