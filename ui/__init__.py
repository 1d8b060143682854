"""Streamlit glue shared by the pages: sidebar controls, session state, the live-training loop."""
