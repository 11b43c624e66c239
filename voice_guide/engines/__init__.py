"""Adapters for speech engines and audio devices: the only modules that import them."""
