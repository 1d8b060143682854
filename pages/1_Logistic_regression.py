"""Logistic regression, trained live."""

from scratchnet.ui import live, page

ctx = page.setup("logistic")
live.model_page(ctx)
page.share_link(ctx)
