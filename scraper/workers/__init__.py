"""Worker processes shared by the crawl and the reclean.

``processes`` starts them from a forkserver that has the cleaner loaded
(``scraper.worker_preload``); ``watched_pool`` kills and replaces a worker held
too long by one page.
"""
