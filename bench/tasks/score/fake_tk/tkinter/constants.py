"""Stand-in tkinter.constants."""
from tkinter import _CONSTANTS

for _name in _CONSTANTS:
    globals()[_name] = _name.lower()
