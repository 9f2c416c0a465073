"""``python -m scraper`` runs the ``scrape`` command line."""

from scraper.cli import main

main(prog_name="scrape")
