"""Logistic regression, trained live."""

from ui import live, page

ctx = page.setup("logistic")
live.model_page(ctx)
page.share_link(ctx)
