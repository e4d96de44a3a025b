"""CSV tables: reading, scanning, fitting the preprocessing, caching and streaming; the lesson's
Iris table."""
