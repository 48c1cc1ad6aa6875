"""The brand's voice, a setting: brand name, sign-off, emoji on/off, default destination URL."""
