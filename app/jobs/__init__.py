"""The durable queue of extraction runs, the workers that drain it, the runner that executes
one run, and the group commit that stores how runs ended.

May import store, extract, llm and core.
"""
