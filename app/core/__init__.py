"""Settings, logging, log redaction, the wording of validation errors and the words of entity
names: what every layer may import.

Imports nothing from app but itself.
"""
