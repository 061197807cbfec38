"""The REST service and the batch command line of the tagger."""
from service.app import create_app

__all__ = ["create_app"]
