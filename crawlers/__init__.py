"""Scrapy project and importers that bring demands into the store."""
