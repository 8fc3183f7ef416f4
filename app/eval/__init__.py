"""The evaluation harness (``factdiff eval``, issue 13): gold stories, the stand-in model that
answers with their claims, what a running service makes of them (over HTTP), and the figures.

The figures (metrics, score, report) are pure; service talks HTTP to a running factdiff, and
stand_in serves an OpenAI-compatible endpoint. Imports app.llm (the completion envelopes) and
schemas only: the service is measured from outside, through its public API.
"""
