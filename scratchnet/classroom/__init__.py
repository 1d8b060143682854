"""A class: the teacher's setup pushed to every student, and the students' results on one board.

Plain Python below Streamlit: `store` keeps classes where every replica reaches them (SQLite in WAL mode on one
machine, Redis across machines), `room` is the logic (codes, keys, rate limits, what a result may hold),
`outcome` turns a finished run into the numbers a student reports. Nothing here imports streamlit or plotly.
"""

from .room import ClassError, Classroom, ClassView, Setup, Target
from .store import Store, open_store

__all__ = ["ClassError", "ClassView", "Classroom", "Setup", "Store", "Target", "open_store"]
