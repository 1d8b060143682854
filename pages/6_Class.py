"""Join a class, or (the teacher) start one and send it a setup."""

from scratchnet.ui import class_page, page

ctx = page.setup("class")
class_page.class_page(ctx)
