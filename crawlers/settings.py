"""Scrapy settings for suqiu's crawlers: polite by default.

One request at a time per site, a delay AutoThrottle adapts from, robots.txt obeyed, transient
errors retried, UTF-8 feeds (Chinese stays readable). Each ``[[sources]]`` entry can loosen the
delay (the local fixture site does); JOBDIR is set per run by ``suqiu crawl --resume``.

From the repository root (``scrapy.cfg``): ``scrapy list``, ``scrapy crawl portal -a source=portal_gbk``
(the installation from ``SUQIU_HOME``), ``scrapy check`` against the fixture site.
"""

BOT_NAME = "suqiu"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

USER_AGENT = "suqiu-crawler/0.1 (citizen demand analytics for a 12345 centre; +mailto:12345-center@example.gov.cn)"
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5          # ±50 % around the delay
DOWNLOAD_TIMEOUT = 30

AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "WARNING"
LOG_INSTALL_ROOT_HANDLER = True
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"   # a quarantined item is expected, counted and kept

# lower numbers run first: run stats open first and close last
ITEM_PIPELINES = {
    "crawlers.pipelines.RunStatsPipeline": 100,
    "crawlers.pipelines.ValidatePipeline": 200,
    "crawlers.pipelines.QuarantinePipeline": 300,
    "crawlers.pipelines.StorePipeline": 400,
}

# what earlier runs stored, handed to the spider when it opens (the spider never opens the store)
EXTENSIONS = {
    "crawlers.extensions.StoredState": 500,
}

# `scrapy check`: sample pages from each source's configuration (options.check_urls, else
# derived from start_url) and fields that must have a value, beside Scrapy's @returns/@scrapes
SPIDER_CONTRACTS = {
    "crawlers.contracts.SampleContract": 10,
    "crawlers.contracts.FillsContract": 10,
}

# set by the spider from the installation (SUQIU_HOME) or by the runner: the store, the source's
# name; demands are written this many at a time (and whatever is left when the spider closes)
SUQIU_STORE_URL = ""
SUQIU_SOURCE_NAME = ""
SUQIU_STORE_BATCH = 100
