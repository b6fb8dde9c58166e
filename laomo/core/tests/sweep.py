"""The in-page checks of the browser sweep (test_e2e_sweep): layout measured by script, axe-core.

Each check returns a list of short problem strings; the test prefixes them with page, role and width.
"""

from pathlib import Path

from django.conf import settings

AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# A same-origin address the sweep answers itself with the local axe file: the page's policy allows
# scripts from 'self' only, and Playwright's add_script_tag(path=...) inserts the file as an inline
# script, which the policy refuses ("Executing inline script violates ... script-src 'self'").
AXE_PATH = "/__sweep__/axe.min.js"

# Layout, measured in the page. An element "sticks out" when its right edge passes the viewport's
# and no ancestor scrolls horizontally (.table-responsive, overflow-x auto/scroll) or clips it
# (overflow hidden/clip); only the outermost of a nest of such elements is reported.
LAYOUT_JS = r"""
() => {
  const problems = [];
  const vw = window.innerWidth;
  const doc = document.scrollingElement || document.documentElement;
  if (doc.scrollWidth > vw + 1) problems.push(`page overflow: scrollWidth ${doc.scrollWidth} > viewport ${vw}`);
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    const cls = (typeof el.className === 'string' ? el.className : '').trim().split(/\s+/).filter(Boolean).slice(0, 3);
    if (cls.length) s += '.' + cls.join('.');
    const label = el.tagName === 'SELECT' ? '' : (el.innerText || el.value || el.getAttribute('aria-label') || '');
    const text = label.trim().replace(/\s+/g, ' ');
    if (text) s += ` "${text.slice(0, 30)}"`;
    return s;
  };
  const visible = (el, cs) => {
    if (cs.display === 'none' || cs.visibility === 'hidden' || cs.visibility === 'collapse') return false;
    // the content of a closed <details> is laid out but not drawn (content-visibility: hidden)
    if (el.checkVisibility && !el.checkVisibility({contentVisibilityAuto: true})) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const contained = new Map();  // element -> true when an ancestor scrolls or clips horizontally
  const inScroller = (el) => {
    const parent = el.parentElement;
    if (!parent || parent === document.body || parent === document.documentElement) return false;
    if (contained.has(parent)) return contained.get(parent);
    const cs = getComputedStyle(parent);
    const ox = cs.overflowX;
    const own = parent.classList.contains('table-responsive') || ['auto', 'scroll', 'hidden', 'clip'].includes(ox);
    const result = own || inScroller(parent);
    contained.set(parent, result);
    return result;
  };
  const sx = window.scrollX;
  const reported = new Set();
  for (const el of document.body.querySelectorAll('*')) {
    const cs = getComputedStyle(el);
    if (cs.position === 'fixed' && el.closest('.offcanvas:not(.show), .modal:not(.show)')) continue;
    if (!visible(el, cs)) continue;
    const r = el.getBoundingClientRect();
    if (r.right + sx <= vw + 1) continue;
    if (inScroller(el)) continue;
    let ancestor = el.parentElement, nested = false;
    while (ancestor) { if (reported.has(ancestor)) { nested = true; break; } ancestor = ancestor.parentElement; }
    reported.add(el);
    if (!nested) problems.push(`past the right edge: ${describe(el)} (right ${Math.round(r.right + sx)} > ${vw})`);
  }
  for (const th of document.querySelectorAll('th')) {
    const cs = getComputedStyle(th);
    if (!visible(th, cs)) continue;
    const clips = cs.whiteSpace === 'nowrap' || cs.overflowX === 'hidden';
    if (th.scrollWidth > th.clientWidth + 1 && clips)
      problems.push(`clipped header: ${describe(th)} (${th.scrollWidth} > ${th.clientWidth})`);
  }
  const canvas = document.createElement('canvas').getContext('2d');
  for (const select of document.querySelectorAll('select:not([multiple])')) {
    const cs = getComputedStyle(select);
    if (!visible(select, cs) || select.selectedIndex < 0) continue;
    const option = select.options[select.selectedIndex];
    canvas.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
    const text = canvas.measureText(option.text.trim()).width;
    const room = select.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    if (text > room + 1)
      problems.push(`clipped select label: ${describe(select)} "${option.text.trim()}"`
                    + ` (${Math.round(text)} > ${Math.round(room)})`);
  }
  return problems;
}
"""

AXE_RUN_JS = """
async () => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']},
    resultTypes: ['violations'],
  });
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `axe ${v.impact} ${v.id}: ${v.nodes.length}× `
              + v.nodes.slice(0, 8).map(n => n.target.join(' ')).join(', ')
              + ` (${(v.nodes[0].failureSummary || '').split('\\n').slice(1, 2).join('').trim().slice(0, 120)})`);
}
"""


def serve_axe(context, server_url: str):
    """Answer AXE_PATH on the live server's origin with the local axe-core file (never the network)."""
    body = AXE_JS.read_bytes()
    context.route(f"{server_url}{AXE_PATH}",
                  lambda route: route.fulfill(status=200, content_type="application/javascript", body=body))


def layout_problems(page) -> list[str]:
    return page.evaluate(LAYOUT_JS)


def axe_problems(page, server_url: str) -> list[str]:
    page.add_script_tag(url=f"{server_url}{AXE_PATH}")
    return page.evaluate(AXE_RUN_JS)
