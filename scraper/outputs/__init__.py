"""Outputs stage: what is read out of the store; nothing here fetches or crawls.

``export`` (JSON lines, CSV, Parquet), ``warc`` (the raw archive as WARC), ``search``
(full text), ``stats``, ``health`` with ``health_history`` (drift per host), and the
HTML ``report`` with ``report_data``. Import the module you need: ``report`` loads
pygal, which only ``scrape report`` should pay for.
"""
