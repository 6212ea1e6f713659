"""Pre-rendered HTML (potrack/web/fragment.py) escapes everything that is not potrack's own markup: a cell's text, a
link's text and address, a hover text and a data attribute from a source are shown as written, never read as HTML."""

from potrack.web.fragment import Link, Markup, attrs, element, link, table, text
from tests.support.fragments import Reader

HOSTILE = "<img src=x onerror=\"alert(1)\"> & 'quoted' </td></tr>"


def read(markup: str) -> Reader:
    reader = Reader()
    reader.feed(markup)
    reader.close()
    return reader


def test_a_cell_s_text_reads_back_exactly_and_opens_no_element():
    markup = table(["key", "error"], [[HOSTILE, "ok"]])
    assert "<img" not in markup and "</td></tr>'" not in markup
    assert read(markup).rows == [["key", "error"], [HOSTILE.strip(), "ok"]]


def test_a_link_s_text_and_address_are_escaped():
    markup = table(["line"], [[Link(HOSTILE, '/lines/erp/"PO1"/1', "line-link")]])
    assert read(markup).links == [(HOSTILE, '/lines/erp/"PO1"/1')]
    assert 'href="/lines/erp/&quot;PO1&quot;/1"' in markup and 'class="line-link"' in markup


def test_hover_texts_and_data_attributes_cannot_close_their_attribute():
    markup = element("span", text("x"), "moment", 'a"b<c>\nsecond line', run_id='1" onclick="x')
    assert markup == (
        '<span class="moment" title="a&quot;b&lt;c&gt;&#10;second line" data-run-id="1&quot; onclick=&quot;x">x</span>'
    )
    assert attrs() == ""


def test_built_markup_goes_in_as_it_is_and_link_content_is_html():
    strong = Markup(element("strong", text("<b>")))
    assert table(["a"], [[strong]]).count("<strong>&lt;b&gt;</strong>") == 1
    assert link("/runs/1", text("#1 <")) == '<a href="/runs/1">#1 &lt;</a>'
