"""econ-index: AI-assistant conversations to k-anonymous labour-market statistics."""

__version__ = "0.1.0"
