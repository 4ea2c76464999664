"""A stand-in for tkinter so a model-written GUI can be imported and started without a display.

Every widget accepts any arguments and any method call (returning 0, a harmless number for ids and sizes);
variables keep their values; mainloop() returns at once. Used only by the bench:tasks gobang scorer.
"""

TclError = RuntimeError
TkVersion = 8.6
TclVersion = 8.6

_CONSTANTS = (
    "LEFT RIGHT TOP BOTTOM CENTER BOTH X Y NONE N S E W NE NW SE SW NS EW NSEW END INSERT DISABLED NORMAL "
    "ACTIVE HIDDEN HORIZONTAL VERTICAL RAISED SUNKEN FLAT RIDGE GROOVE SOLID WORD CHAR YES NO TRUE FALSE ALL"
).split()
for _name in _CONSTANTS:
    globals()[_name] = _name.lower()


class _Anything:
    """Any attribute is a method that accepts anything and returns 0."""

    def __init__(self, *args, **kwargs):
        self._options = dict(kwargs)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return lambda *args, **kwargs: 0

    def __setitem__(self, key, value):
        self._options[key] = value

    def __getitem__(self, key):
        return self._options.get(key, "")

    def config(self, *args, **kwargs):
        self._options.update(kwargs)

    configure = config

    def cget(self, key):
        return self._options.get(key, "")

    def mainloop(self, *args, **kwargs):
        return None

    def after(self, *args, **kwargs):
        return "after#0"

    def winfo_width(self):
        return 600

    def winfo_height(self):
        return 600


class Misc(_Anything):
    pass


class Widget(Misc):
    pass


class Tk(Misc):
    pass


for _name in (
    "Toplevel Frame Label Button Canvas Entry Text Radiobutton Checkbutton Scale Listbox Menu Menubutton Message "
    "Scrollbar Spinbox PanedWindow LabelFrame OptionMenu PhotoImage BitmapImage Event"
).split():
    globals()[_name] = type(_name, (Widget,), {})


class Variable:
    _default = ""

    def __init__(self, master=None, value=None, name=None):
        self._value = self._default if value is None else value

    def get(self):
        return self._value

    def set(self, value):
        self._value = value

    def trace_add(self, *args, **kwargs):
        return "trace#0"

    trace = trace_variable = trace_add


class StringVar(Variable):
    _default = ""


class IntVar(Variable):
    _default = 0


class DoubleVar(Variable):
    _default = 0.0


class BooleanVar(Variable):
    _default = False


def mainloop(*args, **kwargs):
    return None


def __getattr__(name):
    # Anything else a program reaches for: a widget class for capitalised names, a no-op for the rest.
    if name.startswith("__"):
        raise AttributeError(name)
    if name[:1].isupper():
        return type(name, (Widget,), {})
    return lambda *args, **kwargs: 0


from . import messagebox, simpledialog, ttk, font, filedialog, colorchooser, constants  # noqa: E402,F401
