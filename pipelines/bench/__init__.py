"""Benchmark helpers: synthetic SIPRI registers and hand-written baseline loaders (``make bench``)."""
