"""jianbao (简报): structured indicators → a Chinese briefing digest as DOCX and PDF, mailed."""

__version__ = "0.1.0"
