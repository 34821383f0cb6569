"""The benchmark's baseline page: one Plotly chart and one table from literals, no data, no library.

bench/browser_pages.py times it on the same machine, browser and run as the dashboard's pages, so a page's
time can be read as a multiple of what any Streamlit page with a chart costs here.
"""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="baseline", layout="wide")
st.title("Baseline")
months = list(range(1, 13))
st.plotly_chart(go.Figure(go.Bar(x=months, y=[m * 8 for m in months])))
st.dataframe(pd.DataFrame({"bulan": months, "cakupan": [m * 8.0 for m in months]}))
