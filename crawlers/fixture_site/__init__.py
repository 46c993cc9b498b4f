"""The local fixture web site (message boards in UTF-8 and GBK, a review API, Open311)."""

from crawlers.fixture_site.server import FixtureSite, RunningSite, serve_fixture_site

__all__ = ["FixtureSite", "RunningSite", "serve_fixture_site"]
