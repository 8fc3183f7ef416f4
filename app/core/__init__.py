"""Settings, logging and log redaction: what every layer may import.

Imports nothing from app but itself.
"""
