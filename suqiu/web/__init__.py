"""The web interface: the petition office's search page, record details and exports.

``create_app(app)`` builds the FastAPI application; other parts (the department reply API, the
Open311 endpoints) add their routers to it with ``include_router``.
"""
