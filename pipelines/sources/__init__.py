"""Source adapters: request plans (what to ask) and pure parsers (bytes in, polars frames out)."""
