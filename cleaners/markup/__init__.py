"""Reading a page's markup, before any cleaning decision.

Bytes to text (``decode``), the depth guard that keeps hostile nesting from the parser
(``depth`` with its model of the parser: ``nesting``, ``open_stack``, ``formatting``,
``html_tokens``), walks and CSS lookups that stay linear on deep trees (``tree``,
``scoped``), links made absolute (``links``), and the markup signatures of page regions
that are not the article — menus, widgets, comments, consent banners (``rules``) — which
both the body and the metadata stages read.
"""
