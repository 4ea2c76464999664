"""The tkinter window: the board on a canvas, a choice of colour, whose turn it is, and the result."""

import tkinter as tk
from tkinter import messagebox

from rules import BLACK, EMPTY, NAMES, SIZE

CELL = 34
MARGIN = 26


class GobangApp:
    """`make_game(colour)` returns a game (see main.Game) for the human playing 'black' or 'white'."""

    def __init__(self, make_game):
        self.make_game = make_game
        self.root = tk.Tk()
        self.root.title("Gobang")
        self.colour = tk.StringVar(value="black")
        bar = tk.Frame(self.root)
        bar.pack(side=tk.TOP, fill=tk.X)
        tk.Label(bar, text="Play as:").pack(side=tk.LEFT)
        for name in ("black", "white"):
            tk.Radiobutton(bar, text=name.capitalize(), value=name, variable=self.colour).pack(side=tk.LEFT)
        tk.Button(bar, text="New game", command=self.new_game).pack(side=tk.LEFT, padx=8)
        self.status = tk.Label(self.root, text="", font=("TkDefaultFont", 13, "bold"))
        self.status.pack(side=tk.TOP, pady=4)
        side = 2 * MARGIN + CELL * (SIZE - 1)
        self.canvas = tk.Canvas(self.root, width=side, height=side, bg="#deb887", highlightthickness=0)
        self.canvas.pack(padx=8, pady=8)
        self.canvas.bind("<Button-1>", self.on_click)
        self.new_game()

    def new_game(self):
        self.game = self.make_game(self.colour.get())
        self.redraw()

    def on_click(self, event):
        col = round((event.x - MARGIN) / CELL)
        row = round((event.y - MARGIN) / CELL)
        if self.game.human_move(row, col):
            self.redraw()
            if self.game.winner is not None:
                messagebox.showinfo("Game over", self.result_text())

    def result_text(self):
        winner = self.game.winner
        if winner == 0:
            return "The board is full: a draw."
        return f"{NAMES[winner]} wins: {'you win!' if winner == self.game.human else 'the computer wins.'}"

    def redraw(self):
        c = self.canvas
        c.delete("all")
        end = MARGIN + CELL * (SIZE - 1)
        for i in range(SIZE):
            pos = MARGIN + CELL * i
            c.create_line(MARGIN, pos, end, pos)
            c.create_line(pos, MARGIN, pos, end)
        for r, line in enumerate(self.game.board):
            for col, stone in enumerate(line):
                if stone != EMPTY:
                    x, y, radius = MARGIN + CELL * col, MARGIN + CELL * r, CELL // 2 - 2
                    fill = "black" if stone == BLACK else "white"
                    c.create_oval(x - radius, y - radius, x + radius, y + radius, fill=fill, outline="black")
        if self.game.winner is not None:
            self.status.config(text=self.result_text())
        else:
            who = "your" if self.game.current_player == self.game.human else "the computer's"
            self.status.config(text=f"{NAMES[self.game.current_player]} to play: {who} turn")

    def run(self):
        self.root.mainloop()
