"""Getting an article's text: fetching a url safely, HTML to plain text, what text to store
for a submission.

Imports core only.
"""
