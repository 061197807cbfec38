"""The REST service and the batch command line of the tagger."""
