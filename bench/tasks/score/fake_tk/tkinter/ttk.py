"""Stand-in tkinter.ttk: every name is a widget class."""
from tkinter import Widget


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    return type(name, (Widget,), {})
