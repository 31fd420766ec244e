"""One spider per file; the spider's `name` equals the file's stem. Scrapy's loader finds them."""
