"""Dasbor ILP metrics library: ingestion, catalogue and coverage figures over one DuckDB file.

Knows nothing of Streamlit: every function takes a DuckDB connection and parameters and returns
data frames, figures or plain values, so the pages, the CLI and the exports share one code path.
"""

__version__ = "0.1.0"
