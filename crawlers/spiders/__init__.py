"""One spider per source kind: portal message boards, review APIs, Open311 endpoints."""
