"""The ``factdiff`` command line: serve, worker, batch submission, export, backup, fixture
maintenance, evaluation against gold stories.

Talks to a running service over HTTP for submission and export, so it never copies a use
case; starts the service and workers in-process for ``serve`` and ``worker``.
"""
