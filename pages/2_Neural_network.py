"""The two-layer network, trained live."""

from scratchnet.ui import live, page

ctx = page.setup("net")
live.model_page(ctx)
page.share_link(ctx)
