"""The derivation, checked live against the model in use."""

from scratchnet.ui import explain, page

ctx = page.setup("math")
explain.math_page(ctx)
page.share_link(ctx)
