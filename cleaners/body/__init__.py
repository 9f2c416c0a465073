"""Finding the article's text on a parsed page, in pipeline order.

``prose`` maps where the page's prose is; ``pagekind`` tells challenges, consent walls and
listings; ``anchor`` finds the body element or the main column; ``prune`` removes the
blocks that are not the article (``promos`` its sign-offs); ``render`` lays the rest out
as text blocks (``blocks`` for trafilatura's output); ``lines`` and ``labels`` clean the
text line by line; ``guard`` checks the result is not implausibly short for the page.
"""
