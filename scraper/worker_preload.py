"""Imported by the forkserver that ``scrape reclean``'s worker processes fork from.

multiprocessing preloads a forkserver with modules named, not with calls; importing
this one does, once, what every worker would otherwise do for itself: import the
cleaner and the reclean task, and load the language model (about 0.5 s of CPU and
tens of MB a process). Forked workers share all of it, copy-on-write.
"""

import scraper.reclean  # noqa: F401  (the workers' task code)
from cleaners.language import language_model

language_model()
