"""Upload a CSV and choose its columns; it stays in this browser session."""

from scratchnet.ui import page, upload

ctx = page.setup("upload")
upload.upload_page(ctx)
page.share_link(ctx)
