"""The figures: coverage per area and month, cluster summaries, readiness, comparisons, map values."""
