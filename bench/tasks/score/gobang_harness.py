"""Plays a model-written gobang headless through the entry point the benchmark's prompt sentence fixes:
`main.Game(human_color)` with `board` (15x15, 0 empty, 1 black, 2 white), `winner` (None, 1, 2, or 0 for a
draw) and `human_move(row, col)` (the human's stone, then the computer's; False when illegal).

Usage: python3 gobang_harness.py DIR OUT.json   (tkinter is the stand-in on PYTHONPATH). Writes one JSON object
(the program under test may print anything):
{"interactable": {"ok": bool, "why": str}, "rule": {"ok": bool, "why": str}}.
"""

import json
import sys
import traceback

SIZE = 15
DIRS = ((0, 1), (1, 0), (1, 1), (1, -1))


class Fail(Exception):
    pass


def expect(cond, why):
    if not cond:
        raise Fail(why)


def colour(value):
    """Accepts 1/2 and the obvious names for them."""
    if isinstance(value, str):
        v = value.strip().lower()
        return {"black": 1, "b": 1, "x": 1, "white": 2, "w": 2, "o": 2, "draw": 0, "tie": 0}.get(v, value)
    return value


def stones(board):
    counts = {1: 0, 2: 0}
    for line in board:
        for cell in line:
            c = colour(cell)
            if c in counts:
                counts[c] += 1
    return counts


def five_of(board):
    """The colours that have five in a row (an independent check of the game's rule)."""
    found = set()
    for r in range(SIZE):
        for c in range(SIZE):
            p = colour(board[r][c])
            if p not in (1, 2):
                continue
            for dr, dc in DIRS:
                rr, cc, n = r, c, 0
                while 0 <= rr < SIZE and 0 <= cc < SIZE and colour(board[rr][cc]) == p:
                    n, rr, cc = n + 1, rr + dr, cc + dc
                if n >= 5:
                    found.add(p)
    return found


def snapshot(board):
    return [[colour(x) for x in line] for line in board]


def interactable(Game):
    g = Game("black")
    b = g.board
    expect(len(b) == SIZE and all(len(line) == SIZE for line in b), "board is not 15x15")
    expect(stones(b) == {1: 0, 2: 0}, "a new game as black should start empty")
    expect(g.human_move(7, 7) is not False, "human_move(7, 7) was refused on an empty board")
    expect(colour(g.board[7][7]) == 1, "the human's black stone is not at (7, 7)")
    expect(stones(g.board) == {1: 1, 2: 1}, f"after one human move expected 1 black + 1 white stone, got {stones(g.board)}")
    before = snapshot(g.board)
    expect(g.human_move(7, 7) is False, "a move on an occupied cell was accepted")
    expect(snapshot(g.board) == before, "a refused move changed the board")
    w = Game("white")
    expect(stones(w.board) == {1: 1, 2: 0}, f"as white, the computer (black) should open: got {stones(w.board)}")
    empty = next((r, c) for r in range(SIZE) for c in range(SIZE) if colour(w.board[r][c]) == 0)
    expect(w.human_move(*empty) is not False, "the human's move as white was refused")
    expect(colour(w.board[empty[0]][empty[1]]) == 2, "the human's white stone is not on the board")
    expect(stones(w.board) == {1: 2, 2: 1}, f"after the human's move as white expected 2 black + 1 white, got {stones(w.board)}")
    return "both colours: the human's move lands, the computer answers, occupied cells are refused"


def rule(Game):
    # 1. The human completes five: the game must end with the human as winner and refuse further moves.
    g = Game("black")
    for r in range(SIZE):
        for c in range(SIZE):
            g.board[r][c] = 0
    for c in range(4):
        g.board[0][c] = 1
        g.board[14][c * 2] = 2
    expect(g.human_move(0, 4) is not False, "the human's winning move was refused")
    expect(colour(g.winner) == 1, f"five black stones in a row: expected winner 1 (black), got {g.winner!r}")
    before = snapshot(g.board)
    expect(g.human_move(10, 10) is False and snapshot(g.board) == before, "a move after the game ended was accepted")

    # 2. A full game against a human who never defends: it must end exactly when someone has five.
    g = Game("black")
    cells = [(r, c) for r in range(0, SIZE, 2) for c in range(SIZE)] + [(r, c) for r in range(1, SIZE, 2) for c in range(SIZE)]
    for r, c in cells:
        if g.winner is not None:
            break
        if colour(g.board[r][c]) != 0:
            continue
        expect(g.human_move(r, c) is not False, f"a legal move at ({r}, {c}) was refused")
        fives = five_of(g.board)
        if fives:
            expect(colour(g.winner) in fives, f"five in a row for {sorted(fives)} but winner is {g.winner!r}")
        else:
            expect(g.winner is None or (colour(g.winner) == 0 and stones(g.board)[1] + stones(g.board)[2] == SIZE * SIZE),
                   f"the game ended (winner {g.winner!r}) without five in a row")
    expect(g.winner is not None, "the game never ended")
    return f"a human five wins; a full game ended with winner {colour(g.winner)} exactly when five appeared"


def main():
    sys.path.insert(0, sys.argv[1])
    out = {}
    try:
        import main as game_module  # noqa: E402

        Game = game_module.Game
    except Exception as e:  # noqa: BLE001 - any failure to load is the score
        why = f"cannot load main.Game: {type(e).__name__}: {e}"
        out = {"interactable": {"ok": False, "why": why}, "rule": {"ok": False, "why": why}}
        with open(sys.argv[2], "w", encoding="utf-8") as f:
            json.dump(out, f)
        return
    for name, check in (("interactable", interactable), ("rule", rule)):
        try:
            out[name] = {"ok": True, "why": check(Game)}
        except Fail as e:
            out[name] = {"ok": False, "why": str(e)}
        except Exception as e:  # noqa: BLE001
            tb = traceback.extract_tb(e.__traceback__)[-1]
            out[name] = {"ok": False, "why": f"{type(e).__name__}: {e} (at {tb.filename.split('/')[-1]}:{tb.lineno})"}
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
