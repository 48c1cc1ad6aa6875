"""Copy the copilot drafts and a person edits: what it may claim about its recipients (claims),
how it reads for every recipient (language), what its channel allows (channels), whose voice it
speaks in (voice), and the drafts themselves (drafts)."""
