"""scratchnet's entry point and home page: `streamlit run app.py`. The other pages are in pages/."""

from scratchnet.ui import home, page

ctx = page.setup("home")
home.home_page(ctx)
page.share_link(ctx)
