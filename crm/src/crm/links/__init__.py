"""Tracked links: `{{ link }}` → a short per-recipient URL on the CRM that records the click once
and redirects to the campaign's destination with UTM parameters."""
