"""Stand-in tkinter.messagebox: records what was shown (the scorer reads it), answers questions with yes."""

shown = []


def _show(kind):
    def show(title=None, message=None, **kwargs):
        shown.append((kind, title, message))
        return "ok"

    return show


showinfo = _show("info")
showwarning = _show("warning")
showerror = _show("error")


def askyesno(title=None, message=None, **kwargs):
    shown.append(("askyesno", title, message))
    return True


askokcancel = askretrycancel = askyesno


def askquestion(title=None, message=None, **kwargs):
    shown.append(("askquestion", title, message))
    return "yes"


def askyesnocancel(title=None, message=None, **kwargs):
    shown.append(("askyesnocancel", title, message))
    return True
