"""The computer player: every empty cell next to the stones is scored by the lines it would make for the
computer (attack) and the lines it would take from the human (defence); the best cell is played."""

from rules import DIRECTIONS, EMPTY, in_bounds, other

# Value of a line of n stones with at least one open end; five wins outright.
LINE_VALUE = {1: 10, 2: 100, 3: 1000, 4: 10000}
FIVE = 1000000
ATTACK = 1.1  # completing our own line beats blocking an equal one


def _line(board, row, col, dr, dc, player):
    """Stones of `player` in line through the empty cell (row, col) if it were played, and its open ends."""
    count, open_ends = 1, 0
    for sign in (1, -1):
        r, c = row + sign * dr, col + sign * dc
        while in_bounds(board, r, c) and board[r][c] == player:
            count += 1
            r, c = r + sign * dr, c + sign * dc
        if in_bounds(board, r, c) and board[r][c] == EMPTY:
            open_ends += 1
    return count, open_ends


def cell_value(board, row, col, player):
    total = 0
    for dr, dc in DIRECTIONS:
        count, open_ends = _line(board, row, col, dr, dc, player)
        if count >= 5:
            total += FIVE
        elif open_ends:
            total += LINE_VALUE[count] * open_ends
    return total


def candidate_cells(board):
    """Empty cells within two of a stone (the centre on an empty board)."""
    size = len(board)
    stones = [(r, c) for r in range(size) for c in range(size) if board[r][c] != EMPTY]
    if not stones:
        return [(size // 2, size // 2)]
    near = set()
    for r, c in stones:
        for dr in range(-2, 3):
            for dc in range(-2, 3):
                if in_bounds(board, r + dr, c + dc) and board[r + dr][c + dc] == EMPTY:
                    near.add((r + dr, c + dc))
    return sorted(near)


def choose_move(board, player):
    """The (row, col) the computer plays as `player`, or None when the board is full."""
    best, best_value = None, -1.0
    for row, col in candidate_cells(board):
        value = ATTACK * cell_value(board, row, col, player) + cell_value(board, row, col, other(player))
        if value > best_value:
            best, best_value = (row, col), value
    return best
