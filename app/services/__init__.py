"""Use cases shared by every entry point (HTTP routes, the CLI, web pages): submit an
article, curate a claim, load what a diff compares, put its undecided pairs to the LLM
adjudicator, daily quotas.

They raise domain errors (app.services.errors) that each entry point maps to its own form:
a status code, an exit code, a message on a page. May import jobs, store, diff, extract,
ingest, llm and core; never app.api or app.cli.
"""
