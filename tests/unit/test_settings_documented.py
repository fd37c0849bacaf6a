"""Every setting an operator can give is named in the README's settings."""

from __future__ import annotations

from pathlib import Path

from core.base.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme() -> None:
    prefix = Settings.model_config["env_prefix"]
    missing = [f"{prefix}{name}".upper() for name in Settings.model_fields
               if f"{prefix}{name}".upper() not in README]
    assert not missing
