"""The evaluation harness (``factdiff eval``, issue 13): gold stories, the stand-in model that
answers with their claims, what a running service makes of them, and the figures.

gold, metrics, score and report are pure (gold and outcomes in, numbers out); service reads a
running factdiff over its public HTTP API, never its database; stand_in serves an
OpenAI-compatible endpoint, with app.llm's completion envelopes.
"""
