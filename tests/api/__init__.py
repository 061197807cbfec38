"""Tests of the REST service (service/), one module per concern."""
