"""The extraction pipeline: chunking, prompting, the LLM call through app.llm.client, validation
and grounding of each claim in the article text, dates, per-article budgets.

Never touches the database. Grounding, dates and chunking are pure.
"""
