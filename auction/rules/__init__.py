"""Rules tables: one module per source text, each number with the article that sets it."""
