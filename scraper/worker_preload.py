"""Imported by the forkserver that the crawl's and reclean's worker processes fork from.

multiprocessing preloads a forkserver with modules named, not with calls; importing
this one does, once, what every worker would otherwise do for itself: import the
cleaner and the workers' task code, and load the language model (about 1.4 s of CPU
and tens of MB a process in all). Forked workers share all of it, copy-on-write.
"""

import scraper.crawl.worker  # the crawl workers' task code
import scraper.reclean.clean  # noqa: F401  (reclean workers' task code)
from cleaners.metadata.language import language_model

language_model()
