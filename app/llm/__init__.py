"""The LLM client: one factory, one error base class, the SDK paths, transports, the cap on
calls in flight, and offline replay and recording of fixtures.

Imports core and schemas only.
"""
