"""Streamlit glue shared by the pages: the settings table, sidebar controls, session state, the live-training loop.

Importing `ui` changes nothing in the process: the server's allocator tuning runs from page.setup
(scratchnet/ui/server.py), the code every page runs first.
"""
