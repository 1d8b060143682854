// Streamlit's own page menu closes the sidebar after a tap on a phone; the sidebar's st.page_link links (which keep
// presentation mode in their URLs) do not, so the page a student picked opened under the sidebar. Close it the same
// way wherever the open sidebar hides most of the page.
export default function () {
  if (window.__snSidebarLinks) return; // one listener for the page's life (the element is drawn on every rerun)
  window.__snSidebarLinks = true;
  document.addEventListener('click', (e) => {
    const link = e.target.closest && e.target.closest('[data-testid=stSidebar] a[data-testid=stPageLink-NavLink]');
    const sidebar = link && link.closest('[data-testid=stSidebar]');
    if (!sidebar || sidebar.dataset.collapsed !== 'false') return;
    if (sidebar.getBoundingClientRect().width <= window.innerWidth / 2) return; // it leaves the page in view
    setTimeout(() => { // after the link's own click handler has asked for the page
      const close = document.querySelector('[data-testid=stSidebarCollapseButton] button');
      if (close && sidebar.dataset.collapsed === 'false') close.click();
    }, 0);
  }, true);
}
