"""The class's results, live, for the projector."""

from scratchnet.ui import board, page

ctx = page.setup("board")
board.board_page(ctx)
