"""The diff: aligning two claim sets, the rules that say what figures, units and dates
mean, the cross-source fact ledger, and Markdown rendering.

Pure and deterministic: no database, no LLM, no web (checked by import-linter).
"""
