"""Every Plotly figure, built from the metrics' frames; reused by pages, slides and reports."""
