"""Web pages the url-fetching tests serve from a local server (written for the tests)."""

# A news page: navigation, the article, a footer and a script, of which only the article
# is text to keep.
STORY_HTML = """<!doctype html>
<html><head><title>Kenya reinforces Haiti mission</title>
<meta property="og:site_name" content="Example Daily">
<meta name="date" content="2025-01-18"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Kenya reinforces Haiti mission</h1>
<p>Kenya sent a further 217 police officers to Haiti on Saturday to reinforce the mission,
officials in Nairobi said.</p>
<p>The new contingent brings the Kenyan deployment to about 600 officers, according to the
interior ministry, which said more would follow in the coming weeks.</p>
</article>
<footer>Copyright 2025 Example Daily. All rights reserved.</footer>
<script>trackPageView();</script></body></html>"""
