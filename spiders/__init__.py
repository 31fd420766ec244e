"""Scrapy spiders: they fetch public sources and hand every response body to the raw archive.

Spiders never open the warehouse. Their only outputs are archived raw files and a feed of items
describing what was fetched; the flows take it from there.
"""
