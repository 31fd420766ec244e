"""News and agency announcements about 287(g): crawl helpers, extraction, classification, linking, loading.

Spiders (spiders/sources/{ice_news,dhs_news,agency_news,google_news,gdelt,county_agendas}.py) archive
raw pages and feeds; this package turns archived documents into deduplicated articles, classifies
the events they report, links them to agencies and ICE listings, and loads them into the warehouse.
"""
