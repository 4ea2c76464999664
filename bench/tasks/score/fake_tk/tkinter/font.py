"""Stand-in tkinter.font."""
from tkinter import _Anything

NORMAL, BOLD, ITALIC, ROMAN = "normal", "bold", "italic", "roman"


class Font(_Anything):
    def measure(self, text):
        return 8 * len(str(text))

    def metrics(self, *args):
        return 14


def families(*args, **kwargs):
    return ("TkDefaultFont",)


def nametofont(name, *args, **kwargs):
    return Font()
