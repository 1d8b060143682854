"""Several learning rates from the same start, side by side."""

from scratchnet.ui import lab, page

ctx = page.setup("lab")
lab.lab_page(ctx)
page.share_link(ctx)
