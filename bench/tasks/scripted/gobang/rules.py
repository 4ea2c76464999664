"""Gobang rules: a 15x15 board of 0 (empty), 1 (black) and 2 (white), legal moves, five in a row, a full board."""

SIZE = 15
EMPTY, BLACK, WHITE = 0, 1, 2
NAMES = {BLACK: "Black", WHITE: "White"}
# Right, down, and the two diagonals: every line through a cell is one of these, both ways.
DIRECTIONS = ((0, 1), (1, 0), (1, 1), (1, -1))


def new_board(size=SIZE):
    """An empty size x size board (a list of rows)."""
    return [[EMPTY] * size for _ in range(size)]


def other(player):
    """The opponent of BLACK is WHITE and the other way round."""
    return WHITE if player == BLACK else BLACK


def in_bounds(board, row, col):
    return 0 <= row < len(board) and 0 <= col < len(board)


def is_legal(board, row, col):
    """A move is legal on an empty cell inside the board."""
    return in_bounds(board, row, col) and board[row][col] == EMPTY


def line_length(board, row, col, dr, dc):
    """How many stones of the colour at (row, col) lie in an unbroken line through it along (dr, dc)."""
    player = board[row][col]
    count = 1
    for sign in (1, -1):
        r, c = row + sign * dr, col + sign * dc
        while in_bounds(board, r, c) and board[r][c] == player:
            count += 1
            r, c = r + sign * dr, c + sign * dc
    return count


def is_five(board, row, col):
    """True when the stone at (row, col) is part of five (or more) in a row."""
    if board[row][col] == EMPTY:
        return False
    return any(line_length(board, row, col, dr, dc) >= 5 for dr, dc in DIRECTIONS)


def is_full(board):
    return all(cell != EMPTY for line in board for cell in line)
