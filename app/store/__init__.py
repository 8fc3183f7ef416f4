"""Storage: tables, engine and migrations, keyword-only CRUD, claim queries, the substring
search index, backups.

May import extract (the grounded claim it stores) and core; never jobs, services or api.
"""
