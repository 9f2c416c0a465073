"""The sources file: what it accepts, and the error it gives for each mistake."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from scraper.config import DEFAULT_USER_AGENT
from scraper.crawl.sources import DEFAULT_DELAY, load_sources
from scraper.errors import ConfigError

EXAMPLE = """
user_agent = "newsbot/1.0 (+https://example.org/bot)"
delay = 1.5
concurrency = 4
allow_private = ["10.0.0.0/8"]

[[sources]]
name = "exemple"
start = ["https://www.Exemple.fr/"]
feeds = ["https://exemple.fr/feed/"]
sitemaps = ["https://exemple.fr/sitemap.xml"]
include = ['^https://exemple\\.fr/\\d{4}/']
exclude = ['/tag/', '/author/']
max_depth = 2
delay = 2.0

[[sources]]
name = "autre"
feeds = ["https://autre.example/rss"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_of_the_issue_loads(tmp_path: Path) -> None:
    config = load_sources(write(tmp_path, EXAMPLE))
    assert config.user_agent == "newsbot/1.0 (+https://example.org/bot)"
    assert config.delay == 1.5
    assert config.concurrency == 4
    assert config.allow_private == (ipaddress.ip_network("10.0.0.0/8"),)
    first, second = config.sources
    assert first.name == "exemple"
    assert first.hosts == {"exemple.fr"}  # www. and case folded away
    assert first.max_depth == 2
    assert config.delay_for(first) == 2.0
    assert config.delay_for(second) == 1.5
    assert first.wants_article("https://exemple.fr/2025/06/un-article/")
    assert not first.wants_article("https://exemple.fr/rubrique/monde/")
    assert not first.wants_article("https://exemple.fr/2025/tag/x/")
    assert second.hosts == {"autre.example"}


def test_defaults_for_a_minimal_file(tmp_path: Path) -> None:
    config = load_sources(
        write(tmp_path, '[[sources]]\nname = "a"\nstart = ["http://a.example/"]\n')
    )
    assert config.user_agent == DEFAULT_USER_AGENT
    assert config.delay == DEFAULT_DELAY
    assert config.sources[0].wants_article("http://a.example/anything")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('delai = 1\n[[sources]]\nname = "a"\nstart = ["http://a/"]\n', "'delai'"),
        ('[[sources]]\nname = "a"\nstart = ["http://a/"]\nmax_dept = 2\n', "'max_dept'"),
        ('[[sources]]\nname = "a"\nstart = ["http://a/"]\ninclude = ["("]\n', "'include'"),
        ('[[sources]]\nname = "a"\nstart = ["ftp://a/"]\n', "'start'"),
        ('delay = -1\n[[sources]]\nname = "a"\nstart = ["http://a/"]\n', "'delay'"),
        ('delay = "fast"\n[[sources]]\nname = "a"\nstart = ["http://a/"]\n', "'delay'"),
        ('[[sources]]\nname = "a"\nstart = ["http://a/"]\nmax_depth = true\n', "'max_depth'"),
        (
            'allow_private = ["10.0.0.0/33"]\n[[sources]]\nname = "a"\nstart = ["http://a/"]\n',
            "'allow_private'",
        ),
        ('user_agent = "x"\n', "'sources'"),
        ('[[sources]]\nstart = ["http://a/"]\n', "'name'"),
        ('[[sources]]\nname = "a"\n', "'start', 'feeds', 'sitemaps'"),
        (
            '[[sources]]\nname = "a"\nstart = ["http://a/"]\n[[sources]]\nname = "a"\n'
            'start = ["http://b/"]\n',
            "duplicate source name 'a'",
        ),
    ],
)
def test_a_bad_file_names_the_key(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_sources(write(tmp_path, text))
    assert named in str(caught.value)
    assert "sources.toml" in str(caught.value)


def test_a_bad_regex_names_the_source_too(tmp_path: Path) -> None:
    text = '[[sources]]\nname = "monde"\nstart = ["http://a/"]\nexclude = ["[a-"]\n'
    with pytest.raises(ConfigError, match=r"\(monde\).*'exclude'.*bad regular expression"):
        load_sources(write(tmp_path, text))


def test_toml_syntax_errors_give_the_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="line 3"):
        load_sources(write(tmp_path, '[[sources]]\nname = "a"\nstart = = ["http://a/"]\n'))


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_sources(tmp_path / "absent.toml")
