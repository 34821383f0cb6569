"""Exports (issue 7): one set of figures (`facts.gather`), one deck model (`deck.build_deck`), rendered
as the Streamlit "Presentasi" page, PPTX, a PDF A4 report and an Excel workbook. No Streamlit here."""
