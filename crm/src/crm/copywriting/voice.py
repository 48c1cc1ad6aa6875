"""The brand's voice: a setting (GET/PUT /api/settings/brand), not text in the planner."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BrandVoice:
    brand_name: str = "SUGAR"
    sign_off: str = "Team SUGAR"
    emoji: bool = True
    destination_url: str = "https://in.sugarcosmetics.com/"


SUGAR = BrandVoice()
"""The seeded persona: SUGAR Cosmetics — bold, playful, Indian D2C beauty."""
