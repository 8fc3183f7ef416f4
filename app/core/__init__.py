"""Settings, logging, log redaction and the wording of validation errors: what every layer
may import.

Imports nothing from app but itself.
"""
