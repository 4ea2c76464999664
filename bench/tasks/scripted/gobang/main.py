"""Gobang against the computer. `python3 main.py` opens the window; `Game` plays without one."""

from ai import choose_move
from rules import BLACK, WHITE, is_five, is_full, is_legal, new_board, other


class Game:
    """A game for a human playing 'black' or 'white' (black moves first, so the computer opens for white).

    `board` is the live 15x15 state (0 empty, 1 black, 2 white); `winner` is None while playing, then 1 or 2,
    or 0 for a full board; `human_move(row, col)` plays the human's stone and the computer's answer.
    """

    def __init__(self, human_color="black"):
        self.human = BLACK if human_color == "black" else WHITE
        self.computer = other(self.human)
        self.board = new_board()
        self.current_player = BLACK
        self.winner = None
        if self.computer == BLACK:
            self._computer_move()

    def _play(self, row, col):
        self.board[row][col] = self.current_player
        if is_five(self.board, row, col):
            self.winner = self.current_player
        elif is_full(self.board):
            self.winner = 0
        else:
            self.current_player = other(self.current_player)

    def _computer_move(self):
        move = choose_move(self.board, self.computer)
        if move is not None:
            self._play(*move)

    def human_move(self, row, col):
        """Plays the human's stone, then the computer's; False (and nothing changes) for an illegal move."""
        if self.winner is not None or self.current_player != self.human or not is_legal(self.board, row, col):
            return False
        self._play(row, col)
        if self.winner is None:
            self._computer_move()
        return True


def main():
    from gui import GobangApp

    GobangApp(Game).run()


if __name__ == "__main__":
    main()
