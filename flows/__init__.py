"""Prefect flows and deployments that orchestrate ingest, analyze, index, route and report."""
